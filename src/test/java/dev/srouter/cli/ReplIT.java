package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REPL in a real pseudo-terminal: tmux runs the jar, send-keys types, capture-pane reads the
 * screen, as a person would see it.
 */
class ReplIT {
    @TempDir
    Path tmp;

    private Tmux tmux;

    @BeforeEach
    void needTmux() throws Exception {
        assumeTrue(Tmux.installed(), "tmux is not installed");
        tmux = new Tmux("repl", 200, 90);
    }

    @AfterEach
    void killServer() throws Exception {
        if (tmux != null) {
            tmux.kill();
        }
    }

    private void start(String... srouterArgs) throws Exception {
        startSized(160, srouterArgs);
    }

    private void startSized(int columns, String... srouterArgs) throws Exception {
        start0(columns, JarIT.jar(srouterArgs));
    }

    private void start0(List<String> command) throws Exception {
        start0(160, command);
    }

    /** Runs {@code command} in a tmux pane {@code columns} wide, with the cache and history of this test. */
    private void start0(int columns, List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "SROUTER_CACHE_DIR=" + tmp.resolve("cache"), "SROUTER_HISTORY=" + tmp.resolve("history"),
                "TERM=xterm-256color"));
        cmd.addAll(command);
        StringBuilder shell = new StringBuilder();
        for (String c : cmd) {
            shell.append('\'').append(c.replace("'", "'\\''")).append("' ");
        }
        // "; sleep" keeps the pane open after srouter exits, so the test can read its last words and exit code.
        shell.append("; echo \"[exit $?]\"; sleep 60");
        tmux.start(columns, shell.toString(), null);
    }

    private String screen() throws Exception {
        return tmux.screen();
    }

    private String joinedScreen() throws Exception {
        return tmux.joinedScreen();
    }

    private void keys(String... keys) throws Exception {
        tmux.keys(keys);
    }

    private void type(String literal) throws Exception {
        tmux.type(literal);
    }

    private String await(String what, Predicate<String> condition) throws Exception {
        return tmux.await(what, condition);
    }

    private static long count(String screen, String needle) {
        return screen.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void routesTypedUtterancesAndQuitsOnCtrlD() throws Exception {
        start("repl", "-r", JarIT.ROUTES, "--no-color");
        await("the prompt", s -> s.lines().anyMatch(l -> l.startsWith("srouter>")));
        type("isn't politics the best thing ever");
        keys("Enter");
        String s = await("a decision", x -> x.lines().anyMatch(l -> l.matches("politics \\d\\.\\d{4} .*")));
        assertTrue(s.contains("routes, encoder local:all-MiniLM-L6-v2-q"), s);

        type(":threshold 1");
        keys("Enter");
        await("threshold set", x -> x.contains("threshold 1.00"));
        type("where is my order?");
        keys("Enter");
        await("no route at threshold 1", x -> x.lines().anyMatch(l -> l.equals("-")));

        type(":explain on");
        keys("Enter");
        type("hello there");
        keys("Enter");
        await("explanation", x -> x.contains("nearest utterances:"));

        type(":rou");
        keys("Tab");
        await("tab completion of :routes", x -> x.contains("srouter> :routes"));
        keys("Enter");
        await("route list", x -> x.contains("customer support") && x.contains("utterances"));

        type("this line is abandoned");
        await("the typed line", x -> x.contains("srouter> this line is abandoned"));
        long prompts = count(screen(), "srouter>");
        keys("C-c");
        // Ctrl-C is a signal, handled apart from the typed input: wait for the fresh prompt before typing on.
        await("a fresh prompt after Ctrl-C", x -> count(x, "srouter>") > prompts);
        type(":help");
        keys("Enter");
        String afterCtrlC = await("help after Ctrl-C", x -> x.contains(":threshold X"));
        assertFalse(afterCtrlC.contains("[exit"), "Ctrl-C must not end the session:\n" + afterCtrlC);

        keys("C-d");
        String end = await("exit", x -> x.contains("[exit "));
        assertTrue(end.contains("[exit 0]"), end);
        String history = Files.readString(tmp.resolve("history"));
        assertTrue(history.contains("isn't politics the best thing ever"), history);
        assertFalse(history.contains("this line is abandoned"), history);
    }

    @Test
    void aFitBesideTheRoutesFileDecidesAndTheReplSaysSo() throws Exception {
        Path routes = Files.copy(Path.of(JarIT.ROUTES), tmp.resolve("routes.yaml"));
        Path validation = Files.writeString(tmp.resolve("validation.tsv"), String.join("\n", "who should I vote for\tpolitics",
                "lovely weather today\tchitchat", "my parcel never arrived\tcustomer support", "the app keeps crashing\ttechnical help",
                "send me my invoice\tbilling", "good morning\tgreetings", "how do volcanoes form\t-", "a recipe for pancakes\t-", ""));
        ProcessBuilder fitting = new ProcessBuilder(JarIT.jar("fit", "-q", "-r", routes.toString(), "--data", validation.toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("fit.log").toFile());
        fitting.environment().put("SROUTER_CACHE_DIR", tmp.resolve("cache").toString()); // the REPL's cache, not the user's
        Process fit = fitting.start();
        assertTrue(fit.waitFor(120, TimeUnit.SECONDS), "fit finished");
        assertEquals(0, fit.exitValue(), Files.readString(tmp.resolve("fit.log")));

        start("repl", "-r", routes.toString(), "--no-color");
        await("the prompt", x -> x.lines().anyMatch(l -> l.startsWith("srouter>")));
        type("isn't politics the best thing ever");
        keys("Enter");
        await("a fitted decision", x -> x.lines().anyMatch(l -> l.matches("politics \\d\\.\\d{4} \\(confidence >= \\d\\.\\d{4}, fitted decision; .*")));
        type(":threshold 0.9");
        keys("Enter");
        await("the kNN threshold is not the fitted decision's", x -> x.contains("the fitted decision decides"));
        type(":explain on");
        keys("Enter");
        type("hello there");
        keys("Enter");
        await("the explanation names the fitted decision", x -> x.contains("decision: fitted"));
        keys("C-d");
        String end = await("exit", x -> x.contains("[exit "));
        assertTrue(end.contains("[exit 0]"), end);
    }

    @Test
    void routeWithoutTextOnATerminalStartsTheRepl() throws Exception {
        start("route", "-r", JarIT.ROUTES, "--no-color");
        await("the prompt", s -> s.lines().anyMatch(l -> l.startsWith("srouter>")));
        type("hello there");
        keys("Enter");
        await("a decision", x -> x.lines().anyMatch(l -> l.matches("greetings \\d\\.\\d{4} .*")));
        type(":quit");
        keys("Enter");
        String end = await("exit", x -> x.contains("[exit "));
        assertEquals(1, count(end, "[exit 0]"), end);
    }

    @Test
    void tabCompletesARouteNameWithASpaceWithoutABackslashAndExitEnds() throws Exception {
        start("repl", "-r", JarIT.ROUTES, "--no-color");
        await("the prompt", s -> s.lines().anyMatch(l -> l.startsWith("srouter>")));
        type("cust");
        keys("Tab");
        await("completion of the route name", x -> x.contains("srouter> customer support"));
        keys("Enter");
        await("the decision and the next prompt", x -> count(x, "srouter>") == 2);
        type("customer su");
        keys("Tab");
        await("completion from within the name", x -> count(x, "srouter> customer support") == 2);
        keys("Enter");
        type("exit");
        keys("Enter");
        String end = await("exit", x -> x.contains("[exit "));
        assertTrue(end.contains("[exit 0]"), end);
        assertFalse(end.contains("customer\\"), "no backslash on the screen:\n" + end);
        String history = Files.readString(tmp.resolve("history"));
        assertTrue(history.contains("customer support"), history);
        assertFalse(history.contains("\\ "), "no backslash in the history: " + history);
    }

    @Test
    void quitWithoutAColonEndsTheRepl() throws Exception {
        start("repl", "-r", JarIT.ROUTES, "--no-color");
        await("the prompt", s -> s.lines().anyMatch(l -> l.startsWith("srouter>")));
        type("quit");
        keys("Enter");
        String end = await("exit", x -> x.contains("[exit "));
        assertTrue(end.contains("[exit 0]"), end);
    }

    /** Help on a terminal takes the terminal's width (picocli's auto width), up to HelpLayout.MAX_WIDTH. */
    @Test
    void helpFitsTheTerminalUpToAMaximumWidth() throws Exception {
        startSized(64, "route", "--help");
        await("help", x -> x.contains("[exit "));
        String narrow = joinedScreen();
        assertTrue(narrow.contains("[exit 0]") && narrow.contains("Global options:"), narrow);
        int longest = narrow.lines().mapToInt(l -> l.stripTrailing().length()).max().orElse(0);
        assertTrue(longest <= 64, "a 64-column terminal gets lines of at most 64 columns, got " + longest + ":\n" + narrow);
        tmux.restart(); // a fresh server: the old one may still be shutting down

        startSized(200, "route", "--help");
        await("help", x -> x.contains("[exit "));
        String wide = joinedScreen();
        int widest = wide.lines().mapToInt(l -> l.stripTrailing().length()).max().orElse(0);
        assertTrue(widest > 80 && widest <= HelpLayout.MAX_WIDTH, "a 200-column terminal gets up to " + HelpLayout.MAX_WIDTH + ", got " + widest);
    }

    @Test
    void syncAsksForConfirmationOnATerminal() throws Exception {
        Path routes = tmp.resolve("routes.yaml");
        Files.copy(Path.of(JarIT.ROUTES), routes);
        String index = "file:" + tmp.resolve("idx");
        start("sync", "-r", routes.toString(), "--index", index, "--strategy", "merge", "--no-color");
        await("the question", s -> s.contains("Apply this plan? [y/N]"));
        assertTrue(screen().contains("remote: +36 -0"), screen());
        type("n");
        keys("Enter");
        String declined = await("exit", x -> x.contains("[exit "));
        assertTrue(declined.contains("nothing written; cancelled") && declined.contains("[exit 1]"), "declining is not success: " + declined);
        assertFalse(Files.exists(tmp.resolve("idx")), "declining touches nothing, not even the index");
        tmux.restart(); // a fresh server: the old one may still be shutting down

        start("sync", "-r", routes.toString(), "--index", index, "--strategy", "merge", "--no-color");
        await("the question", s -> s.contains("Apply this plan? [y/N]"));
        keys("C-c");
        String interrupted = await("exit", x -> x.contains("[exit "));
        assertTrue(interrupted.lines().anyMatch(l -> l.equals("[exit 130]")),
                "Ctrl-C at the prompt exits 130 and ends the prompt's line: " + interrupted);
        assertFalse(Files.exists(tmp.resolve("idx")), "nothing touched");
        tmux.restart(); // a fresh server: the old one may still be shutting down

        start("sync", "-r", routes.toString(), "--index", index, "--strategy", "merge", "--no-color");
        await("the question", s -> s.contains("Apply this plan? [y/N]"));
        type("y");
        keys("Enter");
        String applied = await("exit", x -> x.contains("[exit "));
        assertTrue(applied.contains("36 upserted") && applied.contains("[exit 0]"), applied);
    }

    /** A routes file of {@code n} distinct utterances over 10 routes, so that embedding it takes a while on a cold cache. */
    private Path bigRoutes(int n) throws IOException {
        StringBuilder y = new StringBuilder("routes:\n");
        for (int r = 0; r < 10; r++) {
            y.append("  - name: topic-").append(r).append("\n    utterances:\n");
            for (int i = r; i < n; i += 10) {
                y.append("      - question number ").append(i).append(" about topic ").append(r).append(" and item ").append(i * 7 % 13).append('\n');
            }
        }
        Path f = tmp.resolve("big.yaml");
        Files.writeString(f, y.toString());
        return f;
    }

    @Test
    void aLongPushShowsProgressOnATerminalAndNothingWhenStderrIsAFile() throws Exception {
        Path big = bigRoutes(1500);
        start("push", "-r", big.toString(), "--index", "file:" + tmp.resolve("idx"), "--yes", "--no-color");
        String during = await("a progress bar", x -> x.contains("embedding and writing") && x.contains("%") || x.contains("[exit "));
        assertTrue(during.contains("embedding and writing") && during.contains("/1500"), "progress on the terminal: " + during);
        String done = await("exit", x -> x.contains("[exit "));
        assertTrue(done.contains("[exit 0]") && done.contains("1500 upserted"), done);

        // The same work with stderr to a file: no bar, no carriage returns, just the result.
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JarIT.JAR.toString(),
                "push", "-r", big.toString(), "--index", "file:" + tmp.resolve("idx2"), "--yes", "--no-cache")
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String text = Files.readString(err);
        assertFalse(text.contains("embedding") || text.contains("\r") || text.contains("%"), "nothing extra off a terminal: " + text);
    }

    @Test
    void routeOverAFileShowsHowManyLinesItRoutedWhileItsResultsGoToAFile() throws Exception {
        Path big = bigRoutes(300);
        Path in = tmp.resolve("questions.txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            lines.append("question number ").append(i % 300).append(" about topic ").append(i % 10).append('\n');
        }
        Files.writeString(in, lines.toString());
        Path out = tmp.resolve("decisions.tsv");
        Path script = tmp.resolve("run.sh");
        Files.writeString(script, "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + JarIT.JAR + "' route -r '" + big
                + "' -o tsv - < '" + in + "' > '" + out + "'\n");
        start0(List.of("bash", script.toString()));
        String during = await("the count", x -> x.contains("routing") || x.contains("[exit "));
        assertTrue(during.contains("routing"), "a count of lines routed on the terminal: " + during);
        String done = await("exit", x -> x.contains("[exit "));
        assertTrue(done.contains("[exit 0]"), done);
        assertEquals(20000, Files.readAllLines(out).size(), "every decision in the file, nothing of the bar");
    }
}
