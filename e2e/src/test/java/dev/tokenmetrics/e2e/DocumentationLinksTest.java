package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link in the project's Markdown leads to a file that exists, and to its heading if it names one. */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static List<Path> documents() throws IOException {
        var documents = new ArrayList<>(List.of(Shell.REPO.resolve("README.md"),
                Shell.REPO.resolve("TESTING-PROTOCOL.md")));
        try (Stream<Path> docs = Files.list(Shell.REPO.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    /** The text outside fenced code blocks, where a '#' line is a heading and not a comment. */
    private static List<String> prose(Path document) throws IOException {
        var lines = new ArrayList<String>();
        boolean inCode = false;
        for (String line : Files.readAllLines(document)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static Set<String> anchors(Path document) throws IOException {
        var anchors = new HashSet<String>();
        for (String line : prose(document)) {
            if (line.startsWith("#")) {
                anchors.add(anchor(line.replaceFirst("^#+\\s*", "")));
            }
        }
        return anchors;
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        assertEquals("soak-100000-distinct-sessions", anchor("Soak: 100,000 distinct sessions"));
        assertEquals("health", anchor("/health"));
        assertEquals("claude-statusline-in-detail", anchor("claude-statusline in detail"));
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        var broken = new ArrayList<String>();
        int checked = 0;
        for (Path document : documents()) {
            for (String line : prose(document)) {
                Matcher link = LINK.matcher(line);
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue; // https:, mailto:
                    }
                    checked++;
                    int hash = target.indexOf('#');
                    Path file = hash == 0 ? document
                            : document.getParent().resolve(hash < 0 ? target : target.substring(0, hash)).normalize();
                    String where = Shell.REPO.relativize(document) + ": " + target;
                    if (!Files.exists(file)) {
                        broken.add(where + " (no such file)");
                    } else if (hash >= 0 && !anchors(file).contains(target.substring(hash + 1))) {
                        broken.add(where + " (no such heading)");
                    }
                }
            }
        }
        assertTrue(checked >= 20, "the links were found: " + checked);
        assertEquals(List.of(), broken);
    }
}
