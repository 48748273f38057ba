package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The usage messages: fit the width, wrap prose only where the width demands, own options before the global ones. */
class HelpTest {
    private static String help(int width, String... command) {
        CommandLine cmd = SrouterCli.build(new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                InputStream.nullInputStream(), Map.of(), false));
        cmd.setUsageHelpWidth(width);
        CommandLine target = cmd;
        for (String c : command) {
            target = target.getSubcommands().get(c);
        }
        StringWriter out = new StringWriter();
        target.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    private static List<List<String>> everyCommand() {
        List<List<String>> all = new ArrayList<>();
        all.add(List.of());
        SrouterCli.build(new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), InputStream.nullInputStream(),
                Map.of(), false)).getSubcommands().keySet().forEach(name -> all.add(List.of(name)));
        return all;
    }

    private static String firstWord(String line) {
        return line.strip().split("\\s+")[0];
    }

    /**
     * A line break in prose is picocli's, made because the next word did not fit; an indented line
     * (an example, a table row, an option) is never continued at the left margin.
     */
    @Test
    void everyHelpFitsItsWidthAndNoLineIsBrokenByHand() {
        for (int width : new int[] {80, HelpLayout.MAX_WIDTH}) {
            for (List<String> command : everyCommand()) {
                String text = help(width, command.toArray(String[]::new));
                List<String> lines = text.lines().toList();
                String where = "srouter " + String.join(" ", command) + " --help at width " + width + ":\n" + text;
                for (int i = 0; i < lines.size(); i++) {
                    String b = lines.get(i);
                    assertTrue(b.length() <= width, "line " + (i + 1) + " is longer than " + width + " in " + where);
                    if (i == 0 || b.isBlank() || b.startsWith(" ") || lines.get(i - 1).isBlank()) {
                        continue;
                    }
                    String a = lines.get(i - 1);
                    assertTrue(!a.startsWith(" "), "an indented line continues at the left margin (line " + (i + 1) + ") in " + where);
                    // picocli keeps the last column free: a word fits when it ends before it
                    assertTrue(a.length() + 1 + firstWord(b).length() >= width,
                            "line " + i + " ends early: '" + firstWord(b) + "' would have fitted, so the text was wrapped by hand, in " + where);
                }
            }
        }
    }

    @Test
    void aCommandsOwnOptionsComeFirstAndTheGlobalOnesInTheirOwnSection() {
        String route = help(80, "route");
        int own = route.indexOf("\nOptions:\n");
        int global = route.indexOf("\nGlobal options:\n");
        assertTrue(own >= 0 && global > own, route);
        assertEquals(global, route.lastIndexOf("\nGlobal options:\n"), "one section of global options: " + route);
        assertTrue(route.indexOf("--threshold=X", own) < global, "--threshold is route's own: " + route);
        assertTrue(route.indexOf("--routes=FILE") > global && route.indexOf("--encoder=NAME") > global, "--routes and --encoder are global: " + route);
        String usage = route.substring(0, route.indexOf("\n\n"));
        assertTrue(usage.contains("[GLOBAL OPTIONS]") && !usage.contains("--qdrant-url"), "the synopsis leaves the global options out: " + usage);

        String root = help(80);
        assertTrue(root.contains("Global options (every command takes them):") && root.contains("--routes=FILE"), root);
    }

    @Test
    void routeHelpShowsHowToPassATextThatStartsWithADash() {
        String route = help(80, "route");
        assertTrue(route.contains("[--] [TEXT...]"), route);
        assertTrue(route.contains("srouter route -- \"-"), route);
    }

    @Test
    void widthIsCappedWhateverTheDetectedWidth() {
        String wide = help(200, "route");
        int longest = wide.lines().mapToInt(String::length).max().orElse(0);
        assertTrue(longest <= HelpLayout.MAX_WIDTH && longest > 80, "longest line " + longest + ":\n" + wide);
    }
}
