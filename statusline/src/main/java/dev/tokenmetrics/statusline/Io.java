package dev.tokenmetrics.statusline;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * File access through java.io only: the JVM has loaded these classes before main runs, whereas java.nio.file and
 * FileChannel would add about a hundred classes to every start.
 */
final class Io {

    private Io() {
    }

    static byte[] read(File file) throws IOException {
        try (var in = new FileInputStream(file)) {
            return in.readAllBytes();
        }
    }

    /** Replaces the file's content atomically: a temporary file beside it, renamed over it. */
    static void replace(File file, byte[] content) throws IOException {
        File dir = file.getAbsoluteFile().getParentFile();
        if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) {
            throw new IOException("cannot create " + dir);
        }
        File temporary = new File(dir, file.getName() + "." + System.nanoTime() + ".tmp");
        try (var out = new FileOutputStream(temporary)) {
            out.write(content);
        }
        if (!temporary.renameTo(file)) {
            temporary.delete();
            throw new IOException("cannot replace " + file);
        }
    }

    static void putLong(byte[] bytes, int at, long value) {
        for (int i = 0; i < 8; i++) {
            bytes[at + i] = (byte) (value >>> (56 - 8 * i));
        }
    }

    static long getLong(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[at + i] & 0xFF);
        }
        return value;
    }
}
