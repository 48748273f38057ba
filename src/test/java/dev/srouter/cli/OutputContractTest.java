package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output contract (docs/json-output.md): under {@code -o json} stdout holds one JSON document per result and
 * errors are one JSON line on stderr; formats a command does not print are refused; the numbers shown explain the
 * decision and the plan; the diff table fits the width; colour and markers are explained.
 */
class OutputContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG = "could you please explain to me in great detail why the invoice for my subscription "
            + "was charged twice this month";

    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private Path routes;
    private String index;

    @BeforeEach
    void setUp() throws IOException {
        routes = dir.resolve("routes.yaml");
        Files.copy(Path.of("routes-example.yaml"), routes);
        index = "file:" + dir.resolve("idx");
    }

    private CliRunner cli() {
        return new CliRunner(cache);
    }

    private Result run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = args[0];
        all[1] = "--routes=" + routes;
        all[2] = "--index=" + index;
        System.arraycopy(args, 1, all, 3, args.length - 1);
        return cli().run(all);
    }

    /** The one JSON document stdout must hold, parsed; fails when anything else is there. */
    private static JsonNode onlyJson(Result r) throws IOException {
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "one JSON document on one line: " + r);
        return JSON.readTree(lines.get(0));
    }

    /** The error object, the last line of stderr; stdout stays empty. */
    private static JsonNode jsonError(Result r) throws IOException {
        assertEquals("", r.out(), "no stdout on an error: " + r);
        List<String> lines = r.err().lines().toList();
        assertFalse(lines.isEmpty(), r.toString());
        JsonNode e = JSON.readTree(lines.get(lines.size() - 1)).get("error");
        assertTrue(e != null && e.get("code").isInt() && e.get("kind").isTextual() && e.get("message").isTextual(), r.toString());
        assertEquals(r.exit(), e.get("code").asInt(), "the code is the exit code: " + r);
        return e;
    }

    // ---- 6: machine-readable output

    @Test
    void pushUnderJsonPrintsThePlanAndTheResultAsOneDocument() throws IOException {
        Result push = run("push", "-o", "json", "--yes");
        assertEquals(0, push.exit(), push.toString());
        JsonNode d = onlyJson(push);
        assertEquals(36, d.at("/counts/remote/upsert").asInt(), push.toString());
        assertEquals("applied", d.at("/result/status").asText(), push.toString());
        assertEquals(36, d.at("/result/remote/upserted").asInt(), push.toString());
        assertTrue(d.at("/result/remote/created").asBoolean(), push.toString());
        assertEquals("unchanged", d.at("/result/routes_file/status").asText(), push.toString());

        Result again = run("sync", "--strategy", "merge", "-o", "json", "--yes");
        assertEquals("nothing_to_do", onlyJson(again).at("/result/status").asText(), again.toString());
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        Result dry = run("sync", "--strategy", "merge", "-o", "json", "--dry-run");
        assertEquals(2, dry.exit(), dry.toString());
        assertEquals("dry_run", onlyJson(dry).at("/result/status").asText(), dry.toString());
        Result check = run("sync", "--strategy", "error", "-o", "json");
        assertEquals(2, check.exit(), check.toString());
        JsonNode c = onlyJson(check);
        assertEquals("not_applied", c.at("/result/status").asText(), check.toString());
        assertEquals(1, c.at("/differences/local_only").asInt(), check.toString());
        Result pull = cli().run("pull", "-r", dir.resolve("new.yaml").toString(), "--index", index, "-o", "json", "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        assertEquals("created", onlyJson(pull).at("/result/routes_file/status").asText(), pull.toString());
    }

    @Test
    void errorsUnderJsonAreOneJsonLineOnStderr() throws IOException {
        Result noIndex = cli().run("diff", "-r", routes.toString(), "-o", "json");
        assertEquals(64, noIndex.exit(), noIndex.toString());
        assertEquals("usage", jsonError(noIndex).get("kind").asText());

        Result missing = cli().run("route", "-r", dir.resolve("nope.yaml").toString(), "-o", "json", "hello");
        assertEquals(65, missing.exit(), missing.toString());
        JsonNode e = jsonError(missing);
        assertEquals("invalid_routes", e.get("kind").asText());
        assertTrue(e.get("message").asText().contains("nope.yaml"), missing.toString());

        Result badOption = cli().run("route", "-o", "json", "--treshold", "0.5", "hello");
        assertEquals(64, badOption.exit(), badOption.toString());
        assertTrue(jsonError(badOption).get("message").asText().contains("--threshold"), "did-you-mean kept: " + badOption);

        Result fromEnv = cli().env("SROUTER_OUTPUT", "json").run("sync", "--strategy", "mrege", "-r", routes.toString(), "--index", index);
        assertEquals(64, fromEnv.exit(), fromEnv.toString());
        jsonError(fromEnv);

        Result noTty = run("push", "-o", "json");
        assertEquals(64, noTty.exit(), noTty.toString());
        assertTrue(jsonError(noTty).get("message").asText().contains("--yes"), noTty.toString());

        Result text = cli().run("diff", "-r", routes.toString());
        assertTrue(text.err().startsWith("srouter: "), "text errors stay text: " + text);
    }

    @Test
    void onATerminalJsonShowsThePlanOnStderrForTheConfirmationAndStdoutStaysOneDocument() throws IOException {
        Result declined = new CliRunner(cache).interactive(true).stdin("n\n").env("COLUMNS", "120")
                .run("push", "--routes=" + routes, "--index=" + index, "-o", "json");
        assertTrue(declined.err().contains("isn't politics the best thing ever") && declined.err().contains("Apply this plan?"),
                "the person sees what they are asked to confirm: " + declined);
        assertEquals("cancelled", onlyJson(declined).at("/result/status").asText(), declined.toString());
    }

    @Test
    void aFailureAfterThePlanLeavesStdoutEmptyAndEndsStderrWithTheError() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        try (dev.srouter.index.VectorIndex idx = new dev.srouter.index.file.FileIndex(dir.resolve("idx"));
                dev.srouter.engine.LeaseLock.Held held = new dev.srouter.engine.LeaseLock(idx, java.time.Clock.systemUTC(),
                        java.time.Duration.ofSeconds(60)).acquire("ci-job-7", java.time.Duration.ZERO)) {
            Result blocked = run("push", "-o", "json", "--yes", "--lock-timeout", "0");
            assertEquals(3, blocked.exit(), blocked.toString());
            JsonNode e = jsonError(blocked);
            assertEquals("locked", e.get("kind").asText(), blocked.toString());
            assertTrue(e.get("message").asText().contains("ci-job-7"), blocked.toString());
        }
    }

    @Test
    void aFormatACommandDoesNotPrintIsRefusedNamingTheOnesItDoes() {
        Result diff = run("diff", "-o", "tsv");
        assertEquals(64, diff.exit(), diff.toString());
        assertEquals("srouter: 'srouter diff' has no -o tsv output; it supports -o text, -o json\n", diff.err());
        assertEquals("", diff.out(), diff.toString());
        assertEquals(64, run("status", "-o", "tsv").exit());
        assertEquals(64, run("push", "-o", "tsv", "--yes").exit());
        assertEquals(64, cli().run("completion", "bash", "-o", "json").exit());

        Result limit = cli().run("route", "-r", routes.toString(), "-o", "tsv", "--limit", "3", "my card was charged twice");
        assertEquals(64, limit.exit(), "tsv holds one route per line, so --limit 3 is refused rather than cut: " + limit);
        assertTrue(limit.err().contains("--limit"), limit.toString());
    }

    @Test
    void unlockUnderJsonPrintsAnObject() throws IOException {
        assertEquals(0, run("push", "--yes").exit());
        JsonNode u = onlyJson(run("unlock", "-o", "json"));
        assertTrue(u.get("exists").asBoolean(), u.toString());
        assertFalse(u.get("broke").asBoolean(), u.toString());
    }

    // ---- 7: the numbers shown explain the decision and the plan

    @Test
    void routeShowsTheBestSimilarityThatPassedBesideTheScore() throws IOException {
        Result text = cli().run("route", "-r", routes.toString(), "isn't politics the best thing ever");
        assertTrue(text.out().matches("politics \\d\\.\\d{4} \\(best similarity 1\\.0000 >= threshold 0\\.6000\\)\\n"), text.toString());
        JsonNode j = JSON.readTree(cli().run("route", "-r", routes.toString(), "-o", "json", "--aggregation", "mean", "where is my order?").out());
        assertTrue(j.get("similarity").isNumber(), j.toString());
        assertTrue(j.get("similarity").asDouble() >= j.get("threshold").asDouble(), "the similarity is what passed: " + j);
        assertTrue(j.get("similarity").asDouble() >= j.get("score").asDouble(), j.toString());
    }

    @Test
    void theErrorStrategyPrintsTheDifferencesItFound() throws IOException {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n")
                .replace("      - thanks, bye!\n", "").replace("score_threshold: 0.45", "score_threshold: 0.5"));
        for (String command : List.of("sync", "diff")) {
            Result r = run(command, "--strategy", "error");
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.out().contains("differences: 1 only in the file (-), 1 only on the remote (+), 1 attribute (~), in 2 routes"),
                    command + ": " + r);
            assertFalse(r.out().contains("+0 -0 ~0"), command + ": " + r);
        }
    }

    @Test
    void aScoreThresholdChangeShowsInTheApplyResult() throws IOException {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, Files.readString(routes).replace("score_threshold: 0.45", "score_threshold: 0.5"));
        Result push = run("push", "--yes");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(push.out().contains("attributes set on 1 route (score_threshold)"), push.toString());

        Files.writeString(routes, Files.readString(routes).replace("score_threshold: 0.5", "score_threshold: 0.55"));
        JsonNode d = onlyJson(run("push", "-o", "json", "--yes"));
        assertEquals(1, d.at("/result/remote/attributes_set").asInt(), d.toString());
    }

    // ---- 12: --summary, width, legend

    @Test
    void syncPushAndPullTakeSummary() throws IOException {
        for (List<String> command : List.of(List.of("sync", "--strategy", "merge"), List.of("push"), List.of("pull"))) {
            String[] args = new String[command.size() + 2];
            for (int i = 0; i < command.size(); i++) {
                args[i] = command.get(i);
            }
            args[command.size()] = "--summary";
            args[command.size() + 1] = "--dry-run";
            Result r = run(args);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.out().contains("ONLY IN FILE (-)") && r.out().contains("politics"), command + ": " + r);
            assertFalse(r.out().contains("isn't politics the best thing ever"), "no utterances with --summary: " + r);
        }
    }

    @Test
    void theDiffTableFitsTheTerminalAndWrapsAtWordBoundaries() throws IOException {
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - " + LONG + "\n"));
        Result narrow = cli().interactive(true).env("COLUMNS", "60").run("diff", "--routes=" + routes, "--index=" + index, "--no-color");
        assertEquals(2, narrow.exit(), narrow.toString());
        for (String line : narrow.out().lines().toList()) {
            assertTrue(line.length() <= 60, "at most 60 columns: '" + line + "'\n" + narrow);
        }
        String words = " " + String.join(" ", narrow.out().split("\\s+")) + " ";
        for (String word : LONG.split(" ")) {
            assertTrue(words.contains(" " + word + " "), "'" + word + "' whole, not cut mid-word:\n" + narrow.out());
        }
        assertTrue(words.contains(" markers: - only in the routes file, + only on the remote, ~ attribute differs "), "a legend: " + narrow);

        Result pipe = cli().run("diff", "--routes=" + routes, "--index=" + index);
        for (String line : pipe.out().lines().toList()) {
            assertTrue(line.codePointCount(0, line.length()) <= TerminalWidth.DEFAULT, "at most " + TerminalWidth.DEFAULT + " columns off a terminal: '" + line + "'");
        }
        assertTrue(pipe.out().contains("markers: - only in the routes file, + only on the remote, ~ attribute differs\n"), pipe.toString());
        assertFalse(pipe.out().contains("colours:"), "no colour, no colour legend: " + pipe);
    }

    @Test
    void withColourTheLegendSaysGreenAdds() {
        Result r = cli().env("CLICOLOR_FORCE", "1").run("diff", "--routes=" + routes, "--index=" + index);
        assertTrue(r.out().contains("\u001b[32madd to remote"), "an add is green: " + r);
        String plain = r.out().replaceAll("\u001b\\[[0-9;]*m", "");
        assertTrue(plain.contains("colours: green adds, red removes, yellow sets a value, on the side ACTION names"), plain);
    }

    @Test
    void wrapNeverCutsAWordThatFits() {
        assertEquals(List.of("why don't", "you tell me", "about your", "political", "opinions"),
                TextTable.wrap("why don't you tell me about your political opinions", 11));
        assertEquals(List.of("abcdef", "gh"), TextTable.wrap("abcdefgh", 6), "only a word longer than the column is cut");
    }
}
