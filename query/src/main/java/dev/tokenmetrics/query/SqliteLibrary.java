package dev.tokenmetrics.query;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/**
 * SQLite's native library, extracted once into the user's cache rather than into /tmp by every process that opens a
 * ledger (sqlite-jdbc's default: a megabyte written per report and per start of the receiver, and left behind when
 * one is killed). Best effort: when the cache cannot be used, sqlite-jdbc extracts as it always does. Once
 * extracted, found by the JVM's own os.name and os.arch: sqlite-jdbc's platform detection starts a process
 * ({@code uname}), a tenth of a second for a report, and some hundreds of KiB kept resident by the receiver (the
 * process classes and their reaper thread). The reports and the receiver share one copy.
 */
public final class SqliteLibrary {

    private SqliteLibrary() {
    }

    /** Before the first connection: points sqlite-jdbc at the cached copy, extracting it first if need be. */
    public static void useCache(Map<String, String> environment) {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return; // chosen by the user
        }
        try {
            String name = System.mapLibraryName("sqlitejdbc");
            Path home = absolute(environment.get("HOME")).orElse(Path.of(System.getProperty("user.home")));
            Path cacheHome = absolute(environment.get("XDG_CACHE_HOME")).orElse(home.resolve(".cache"));
            if (!cacheHome.isAbsolute()) {
                return; // never a library found relative to the working directory
            }
            Path dir = cacheHome.resolve(Path.of("claude-token-metrics", "sqlite-" + SQLiteJDBCLoader.getVersion(),
                    (System.getProperty("os.name") + "-" + System.getProperty("os.arch")).replace('/', '_')));
            Path library = dir.resolve(name);
            if (!Files.isRegularFile(library)) {
                String resource = "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name;
                try (InputStream in = SqliteLibrary.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        return; // not bundled for this platform: sqlite-jdbc looks elsewhere
                    }
                    Files.createDirectories(dir);
                    Path partial = Files.createTempFile(dir, name, ".partial");
                    try {
                        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                        // whole or absent: another run may be extracting at the same time
                        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(partial); // a full disk leaves nothing behind
                    }
                }
            }
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException | RuntimeException e) {
            // the default extraction still works
        }
    }

    /** A directory from the environment, as the XDG spec reads one: unset, empty or relative is no value. */
    private static Optional<Path> absolute(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isEmpty()).map(Path::of).filter(Path::isAbsolute);
    }
}
