package dev.tokenmetrics.receiver;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * The directories the daemon writes in, checked once at start-up before anything is written there. Whoever can
 * create entries in a directory can plant links or files at the names we use, so a directory owned by another
 * user (root excepted) or writable by everyone without the sticky bit is refused. The state directory holds
 * nothing anyone else needs and is kept 0700.
 */
final class SafeDirectories {

    private static final int ROOT = 0;
    private static final int STICKY = 01000;
    private static final int GROUP_WRITABLE = 0020;
    private static final int WORLD_WRITABLE = 0002;
    private static final int GROUP_OR_OTHER = 0077;

    /** Something noticed or repaired, for the log once it is open. */
    record Note(Level level, String message) {
    }

    /** A directory another user could plant files in; the message is the one line to show, fix included. */
    static final class UnsafeDirectory extends IOException {
        UnsafeDirectory(String message) {
            super(message);
        }
    }

    private SafeDirectories() {
    }

    /** Creates the directories if missing (0700), checks both and narrows the state directory to 0700. */
    static List<Note> prepare(Path stateDir, Path metricsDir) throws IOException {
        var me = new UnixSystem();
        var notes = new ArrayList<Note>();
        check(createIfMissing(stateDir), "state directory", "--state-dir", true, me, notes);
        check(createIfMissing(metricsDir), "metrics file's directory", "--metrics-file", false, me, notes);
        return notes;
    }

    private static Path createIfMissing(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        return directory;
    }

    private static void check(Path directory, String role, String option, boolean keepPrivate, UnixSystem me,
                              List<Note> notes) throws IOException {
        // attributes of the directory itself, through a link to it: it is where our files end up
        int uid = (Integer) Files.getAttribute(directory, "unix:uid");
        int mode = (Integer) Files.getAttribute(directory, "unix:mode") & 07777;
        String described = role + " " + directory + " (owner " + Files.getOwner(directory).getName() + ", mode "
                + octal(mode) + ")";
        String path = quoted(directory);
        if (uid != me.getUid() && uid != ROOT) {
            throw new UnsafeDirectory("refusing the " + described + ": it belongs to another user, who could plant"
                    + " links in it; choose another with " + option + ", or run: sudo chown " + me.getUsername() + " "
                    + path + " && chmod 700 " + path);
        }
        if ((mode & WORLD_WRITABLE) != 0 && (mode & STICKY) == 0) {
            throw new UnsafeDirectory("refusing the " + described + ": every user can write in it and could plant"
                    + " links there; choose another with " + option + ", or check what is in it and run: chmod "
                    + (keepPrivate ? "700 " : "o-w ") + path);
        }
        if (keepPrivate && (mode & GROUP_OR_OTHER) != 0) {
            if (uid == me.getUid()) {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                notes.add(new Note(Level.INFO, described + " was open to other users; set it to 0700"));
            } else {
                notes.add(new Note(Level.WARNING, described + " is open to other users; only root can narrow it"));
            }
        } else if ((mode & GROUP_WRITABLE) != 0 && (mode & WORLD_WRITABLE) == 0) {
            // a warning only: with user-private groups (Debian's default) 0775 is the norm
            notes.add(new Note(Level.WARNING, described + " is writable by its group, whose members could plant"
                    + " links in it"));
        }
    }

    private static String octal(int mode) {
        return String.format("%04o", mode);
    }

    /** A path as it would be typed into a shell. */
    private static String quoted(Path path) {
        String text = path.toString();
        return text.matches("[\\w./+-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
