package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outputs README.md and docs/*.md show are what the CLI prints: each example whose output the page gives runs
 * in-process, with the real local encoder, on the file it names. Three shapes are read:
 *
 * <ul>
 *   <li>a line {@code srouter route -r FILE ARGS  # OUTPUT} in a code block, where OUTPUT is a decision line
 *       ({@code ROUTE SCORE (best similarity ...)}) or {@code -   (no route)}: the first line printed;
 *   <li>a line {@code $ srouter ARGS} followed by its output in a code block: the whole output, or where the page
 *       elides with {@code ...}, what comes before and after it;
 *   <li>{@code srouter> TEXT} followed by a decision line in the REPL block: {@code route} on the file the REPL
 *       example opens, before any {@code :} command changes a setting.
 * </ul>
 *
 * <p>{@code FILE} is {@code routes-example.yaml}, or {@code routes.yaml} as {@code srouter init} writes it.
 */
class DocExamplesTest {
    @TempDir
    static Path cache;

    @TempDir
    static Path initDir;

    private static final Pattern DECISION = Pattern.compile("\\S.* \\d+\\.\\d{4} \\(best similarity \\d\\.\\d{4} >= threshold \\d\\.\\d{4}\\)");
    private static final Pattern COMMENTED = Pattern.compile("^\\s*(?:\\./)?srouter (route .*?)\\s+# (.*)$");
    private static final Pattern REPL_OPENS = Pattern.compile("srouter repl -r (\\S+)");

    /** @param firstLine whether {@code expected} is the first line printed, not the whole output */
    record Example(String where, List<String> args, List<String> expected, boolean firstLine) {}

    @TestFactory
    Stream<DynamicTest> everyShownOutputIsWhatTheCliPrints() throws IOException {
        List<Example> examples = new ArrayList<>();
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        for (Path page : pages) {
            examples.addAll(examples(page, Files.readAllLines(page)));
        }
        // The pages show at least these: the kNN decision, no route, --explain, lint and the REPL.
        assertTrue(examples.size() >= 5, examples.toString());
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.where() + ": srouter " + String.join(" ", e.args()), () -> check(e)));
    }

    /** The examples of one page whose output it shows. */
    static List<Example> examples(Path page, List<String> lines) {
        List<Example> out = new ArrayList<>();
        boolean inBlock = false;
        String replFile = null;
        boolean replSettingsChanged = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = page + ":" + (i + 1);
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                replSettingsChanged = false;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            Matcher opens = REPL_OPENS.matcher(line);
            if (opens.find()) {
                replFile = opens.group(1);
            }
            Matcher commented = COMMENTED.matcher(line);
            if (commented.matches()) {
                String shown = commented.group(2).trim();
                if (DECISION.matcher(shown).matches()) {
                    out.add(new Example(where, words(commented.group(1)), List.of(shown), true));
                } else if (shown.equals("-   (no route)")) {
                    out.add(new Example(where, words(commented.group(1)), List.of("-"), true));
                }
                continue;
            }
            if (line.startsWith("$ srouter ") && !line.contains("<Tab>")) {
                List<String> expected = new ArrayList<>();
                for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```") && !lines.get(j).startsWith("$ "); j++) {
                    expected.add(lines.get(j));
                }
                if (!expected.isEmpty()) {
                    out.add(new Example(where, words(line.substring("$ srouter ".length())), expected, false));
                }
                continue;
            }
            if (line.startsWith("srouter> :")) {
                replSettingsChanged = true;
            } else if (line.startsWith("srouter> ") && replFile != null && !replSettingsChanged && i + 1 < lines.size()
                    && DECISION.matcher(lines.get(i + 1)).matches()) {
                out.add(new Example(where, List.of("route", "-r", replFile, line.substring("srouter> ".length())), List.of(lines.get(i + 1)), true));
            }
        }
        return out;
    }

    private static void check(Example e) {
        List<String> args = new ArrayList<>(e.args());
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-r") && args.get(i + 1).equals("routes.yaml")) {
                args.set(i + 1, starterRoutes().toString());
            }
        }
        Result r = new CliRunner(cache).run(args.toArray(String[]::new));
        List<String> actual = r.out().lines().toList();
        List<String> expected = e.expected();
        int elided = -1;
        for (int i = 0; i < expected.size() && elided < 0; i++) {
            elided = expected.get(i).trim().equals("...") ? i : -1;
        }
        if (e.firstLine()) {
            assertFalse(actual.isEmpty(), e.where() + "\n" + r);
            assertEquals(expected.get(0), actual.get(0), e.where() + "\n" + r);
        } else if (elided < 0) {
            assertEquals(expected, actual, e.where() + "\n" + r);
        } else {
            List<String> head = expected.subList(0, elided);
            List<String> tail = expected.subList(elided + 1, expected.size());
            assertTrue(actual.size() >= head.size() + tail.size(), e.where() + "\n" + r);
            assertEquals(head, actual.subList(0, head.size()), e.where() + "\n" + r);
            assertEquals(tail, actual.subList(actual.size() - tail.size(), actual.size()), e.where() + "\n" + r);
        }
    }

    private static synchronized Path starterRoutes() {
        Path file = initDir.resolve("routes.yaml");
        if (!Files.exists(file)) {
            Result r = new CliRunner(cache).run("init", "-q", "-r", file.toString());
            assertEquals(0, r.exit(), r.toString());
        }
        return file;
    }

    /** A command line's words as a POSIX shell splits them: single and double quotes, backslash escapes. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    out.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (word != null) {
            out.add(word.toString());
        }
        return out;
    }

    /**
     * docs/sync-strategies.md's worked example: L and R are read from the page's two columns, R is pushed to a file
     * index, and for each strategy the page's actions and summary are what {@code sync --dry-run} plans; the merge
     * table it prints is the page's to the character.
     */
    @Test
    void theWorkedExampleOfEveryStrategyIsWhatSyncPlans(@TempDir Path dir) throws IOException {
        List<String> page = Files.readAllLines(Path.of("docs/sync-strategies.md"));
        int header = indexOf(page, "# routes.yaml (L)", 0);
        int column = page.get(header).indexOf("# the remote (R)");
        assertTrue(column > 0, "the worked example's two columns");
        StringBuilder local = new StringBuilder();
        StringBuilder remote = new StringBuilder();
        for (int i = header + 1; !page.get(i).startsWith("```"); i++) {
            String line = page.get(i);
            local.append(line.substring(0, Math.min(column, line.length())).stripTrailing()).append('\n');
            remote.append(line.length() > column ? line.substring(column) : "").append('\n');
        }
        Path l = Files.writeString(dir.resolve("routes.yaml"), local.toString());
        Path r = Files.writeString(dir.resolve("remote.yaml"), remote.toString());
        String index = "file:" + dir.resolve("idx");
        CliRunner cli = new CliRunner(cache);
        Result pushed = cli.run("push", "-q", "--yes", "-r", r.toString(), "--index", index);
        assertEquals(0, pushed.exit(), pushed.toString());

        // The merge plan as the page prints it.
        int shown = indexOf(page, "`srouter sync --index file:idx --strategy merge --dry-run` prints", header);
        int open = indexOf(page, "```", shown);
        List<String> table = page.subList(open + 1, indexOf(page, "```", open + 1));
        Result merge = cli.run("sync", "--dry-run", "--strategy", "merge", "-r", l.toString(), "--index", index);
        assertEquals(2, merge.exit(), merge.toString());
        assertEquals(table, merge.out().lines().toList(), merge.toString());

        // The table of actions: one row per entry, one column per strategy, and the summary row.
        int columns = indexOf(page, "| entry | error |", shown);
        List<String> strategies = cells(page.get(columns)).subList(1, 7);
        for (int row = columns + 2; page.get(row).startsWith("|"); row++) {
            List<String> cells = cells(page.get(row));
            for (int k = 0; k < strategies.size(); k++) {
                String strategy = strategies.get(k);
                Result plan = cli.run("sync", "--dry-run", "--strategy", strategy, "-r", l.toString(), "--index", index);
                String expected = cells.get(k + 1).replace("`", "");
                if (cells.get(0).equals("summary")) {
                    String last = plan.out().lines().reduce((a, b) -> b).orElse("");
                    assertTrue(last.startsWith(expected), strategy + ": " + expected + "\n" + plan);
                } else {
                    assertEquals(expected, action(plan.out(), cells.get(0).replace("`", "")), strategy + ", " + cells.get(0) + "\n" + plan);
                }
            }
        }
    }

    /** The ACTION cell of the entry named {@code "MARKER ROUTE: TEXT…"} in a plan table (the first words of the text suffice). */
    private static String action(String out, String entry) {
        char marker = entry.charAt(0);
        String route = entry.substring(2, entry.indexOf(": "));
        String text = entry.substring(entry.indexOf(": ") + 2).replace("…", "");
        List<String> lines = out.lines().toList();
        int textColumn = lines.get(0).indexOf("UTTERANCE OR ATTRIBUTE");
        int markerColumn = textColumn - 3; // "ROUTE  -  TEXT": the marker stands two columns before the text
        int actionColumn = lines.get(0).indexOf("ACTION");
        String currentRoute = null;
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith("markers:")) {
                break;
            }
            if (!line.substring(0, markerColumn).isBlank()) {
                currentRoute = line.substring(0, markerColumn).trim();
            }
            if (line.length() <= actionColumn || line.charAt(markerColumn) != marker || !route.equals(currentRoute)) {
                continue; // another entry, or a wrapped cell's next line
            }
            String cell = line.substring(textColumn, actionColumn).trim().split("  ")[0];
            if (cell.startsWith(text) || text.startsWith(cell)) {
                return line.substring(actionColumn).trim();
            }
        }
        throw new AssertionError("no entry " + entry + " in\n" + out);
    }

    private static List<String> cells(String row) {
        List<String> out = new ArrayList<>();
        for (String cell : row.substring(1, row.length() - 1).split("\\|")) {
            out.add(cell.trim());
        }
        return out;
    }

    private static int indexOf(List<String> lines, String start, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starting " + start);
    }

    @Test
    void wordsSplitsAsTheShellDoes() {
        assertEquals(List.of("route", "-r", "f.yaml", "isn't it", "a b", "c\"d", ""),
                words("route -r f.yaml \"isn't it\" 'a b' c\\\"d ''"));
    }

    @Test
    void aStaleOutputIsFound() {
        List<Example> found = examples(Path.of("page.md"), List.of("```sh",
                "srouter route -r routes-example.yaml \"how's the weather today?\"   # chitchat 0.7108 (best similarity 1.0000 >= threshold 0.6000)",
                "srouter route -r routes-example.yaml \"x\"   # a comment, not an output", "```"));
        assertEquals(1, found.size(), found.toString());
        assertEquals(List.of("route", "-r", "routes-example.yaml", "how's the weather today?"), found.get(0).args());
        AssertionError stale = assertThrows(AssertionError.class, () -> check(found.get(0)));
        assertTrue(stale.getMessage().contains("page.md:2") && stale.getMessage().contains("chitchat 0.7108"), stale.getMessage());
    }
}
