package dev.tokenmetrics.receiver.transcripts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a scanner needs to read only what was appended since: one {@link FileState} per transcript, sorted by
 * path. A value: the ledger keeps it (as these records, or as {@link #encode()}'s text) and hands it back.
 */
public record ScanState(List<FileState> files) {

    public static final ScanState EMPTY = new ScanState(List.of());

    private static final String HEADER = "transcript-scan-state 1";

    public ScanState {
        files = files.stream().sorted(Comparator.comparing(FileState::path)).toList();
    }

    public Map<String, FileState> byPath() {
        Map<String, FileState> map = new LinkedHashMap<>();
        files.forEach(file -> map.put(file.path(), file));
        return map;
    }

    /** One line per file: offset, size, modified, checksum, identity, path; tab-separated, text fields escaped. */
    public String encode() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (FileState file : files) {
            text.append(file.offset()).append('\t').append(file.size()).append('\t').append(file.modifiedNanos())
                    .append('\t').append(file.tailChecksum()).append('\t').append(escape(file.identity()))
                    .append('\t').append(escape(file.path())).append('\n');
        }
        return text.toString();
    }

    /** The inverse of {@link #encode()}; anything else is refused whole, as a state half-read is no state. */
    public static ScanState decode(String text) {
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a transcript scan state");
        }
        List<FileState> files = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] fields = lines[i].split("\t", -1);
            if (fields.length != 6) {
                throw new IllegalArgumentException("scan state line " + i + ": " + fields.length + " fields");
            }
            try {
                files.add(new FileState(unescape(fields[5]), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                        unescape(fields[4]), Long.parseLong(fields[0]), Long.parseLong(fields[3])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("scan state line " + i + ": " + e.getMessage(), e);
            }
        }
        return new ScanState(files);
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == text.length()) {
                throw new IllegalArgumentException("scan state: a lone backslash");
            }
            switch (text.charAt(i)) {
                case '\\' -> out.append('\\');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                default -> throw new IllegalArgumentException("scan state: escape \\" + text.charAt(i));
            }
        }
        return out.toString();
    }
}
