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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code srouter eval}, in-process with the real local encoder. With --threshold 0.95 only a query equal to an
 * utterance (similarity 1.0) passes, so every decision is known: a query copied from a route gets that route, any
 * other text gets none. The labels are then chosen right or wrong on purpose.
 */
class EvalCommandTest {
    @TempDir
    static Path cache;

    @TempDir
    static Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path routes;
    private static Path jsonl;
    private static Path tsv;

    /** Nine queries: six labelled with a route (four right), three labelled none (two right). */
    @BeforeAll
    static void files() throws IOException {
        routes = dir.resolve("routes.yaml");
        Files.writeString(routes, String.join("\n", "routes:",
                "  - name: weather", "    utterances:", "      - what's the weather like today", "      - will it rain tomorrow",
                "  - name: billing", "    utterances:", "      - how do I pay my invoice", "      - update my credit card",
                "  - name: greetings", "    utterances:", "      - hello there", "      - good morning", ""));
        jsonl = dir.resolve("labelled.jsonl");
        Files.writeString(jsonl, String.join("\n",
                "{\"text\": \"what's the weather like today\", \"route\": \"weather\"}",
                "{\"text\": \"will it rain tomorrow\", \"route\": \"weather\"}",
                "",
                "{\"text\": \"how do I pay my invoice\", \"route\": \"billing\"}",
                "{\"text\": \"update my credit card\", \"route\": \"greetings\"}",
                "{\"text\": \"hello there\", \"route\": \"greetings\"}",
                "{\"text\": \"the mitochondria is the powerhouse of the cell\", \"route\": null}", ""));
        tsv = dir.resolve("more.tsv");
        Files.writeString(tsv, String.join("\n",
                "quantum chromodynamics lecture notes\t-",
                "good morning\t-\t0.9123",
                "a recipe for banana bread\tbilling", ""));
    }

    private static CliRunner cli() {
        return new CliRunner(cache);
    }

    private static Result eval(String... rest) {
        List<String> all = new ArrayList<>(List.of("eval", "--routes=" + routes, "--threshold", "0.95"));
        all.addAll(List.of(rest));
        return cli().run(all.toArray(String[]::new));
    }

    private static JsonNode json(Result r) throws IOException {
        assertEquals(1, r.out().lines().count(), "one JSON document: " + r);
        return JSON.readTree(r.out());
    }

    @Test
    void jsonReportHasTheExactFigures() throws IOException {
        Result r = eval("--data", jsonl.toString(), "--data", tsv.toString(), "-o", "json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), "nothing on stderr without a terminal: " + r);
        JsonNode d = json(r);
        assertEquals(9, d.get("queries").asInt());
        assertEquals(2, d.get("data").size());
        assertEquals(jsonl.toString(), d.at("/data/0/file").asText());
        assertEquals("jsonl", d.at("/data/0/format").asText());
        assertEquals(6, d.at("/data/0/queries").asInt());
        assertEquals("tsv", d.at("/data/1/format").asText());
        assertEquals(3, d.at("/data/1/queries").asInt());
        assertEquals("knn", d.get("decision").asText());
        assertEquals(9, d.at("/decided_by/0/queries").asInt());
        assertEquals(0.95, d.get("threshold").asDouble(), 1e-9);
        assertEquals(5, d.get("top_k").asInt());
        assertEquals("sum", d.get("aggregation").asText());

        assertEquals(6, d.get("in_scope").asInt());
        assertEquals(4, d.get("in_scope_correct").asInt());
        assertEquals(1, d.get("in_scope_wrong_route").asInt());
        assertEquals(1, d.get("in_scope_no_route").asInt());
        assertEquals(0.666667, d.get("accuracy").asDouble(), 1e-9);
        assertEquals(3, d.get("out_of_scope").asInt());
        assertEquals(2, d.get("out_of_scope_correct").asInt());
        assertEquals(1, d.get("out_of_scope_routed").asInt());
        assertEquals(0.666667, d.get("oos_recall").asDouble(), 1e-9);
        assertEquals(3, d.get("misses").asInt());
        assertEquals(0.666667, d.get("macro_f1").asDouble(), 1e-9); // (1 + 0.5 + 0.5) / 3

        assertTrue(d.get("ece").isNull(), "the knn decision has no confidence: " + d);
        assertEquals(0, d.get("calibrated").asInt());
        assertEquals(0, d.get("calibration_bins").size());

        JsonNode routesNode = d.get("routes");
        assertEquals(List.of("weather", "billing", "greetings"), names(routesNode, "route"));
        assertRoute(routesNode.get(0), 2, 2, 2, 1.0, 1.0, 1.0);
        assertRoute(routesNode.get(1), 2, 2, 1, 0.5, 0.5, 0.5);
        assertRoute(routesNode.get(2), 2, 2, 1, 0.5, 0.5, 0.5);

        JsonNode confused = d.get("confused");
        assertEquals(3, confused.size(), d.toString());
        assertTrue(confused.get(0).get("expected").isNull());
        assertEquals("greetings", confused.get(0).get("got").asText());
        assertEquals("billing", confused.get(1).get("expected").asText());
        assertTrue(confused.get(1).get("got").isNull());
        assertEquals("greetings", confused.get(2).get("expected").asText());
        assertEquals("billing", confused.get(2).get("got").asText());
        assertEquals(1, confused.get(2).get("count").asInt());

        assertEquals(0, d.get("gates").size());
        assertTrue(d.get("passed").asBoolean());
        assertTrue(d.get("misses_file").isNull());
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    private static void assertRoute(JsonNode r, int support, int predicted, int correct, double p, double rec, double f1) {
        assertEquals(support, r.get("support").asInt(), r.toString());
        assertEquals(predicted, r.get("predicted").asInt(), r.toString());
        assertEquals(correct, r.get("correct").asInt(), r.toString());
        assertEquals(p, r.get("precision").asDouble(), 1e-9, r.toString());
        assertEquals(rec, r.get("recall").asDouble(), 1e-9, r.toString());
        assertEquals(f1, r.get("f1").asDouble(), 1e-9, r.toString());
    }

    @Test
    void gatesExitZeroWhenMetAndTwoBelowWithOneStderrLineEach() throws IOException {
        Result met = eval("--data", jsonl.toString(), "--data", tsv.toString(), "--min-accuracy", "0.6", "--min-oos-recall", "0.6");
        assertEquals(0, met.exit(), met.toString());
        assertEquals("", met.err(), met.toString());

        Result below = eval("--data", jsonl.toString(), "--data", tsv.toString(), "--min-accuracy", "0.7", "--min-oos-recall", "0.6");
        assertEquals(2, below.exit(), below.toString());
        assertEquals(List.of("srouter: in-scope accuracy 0.6667 is below --min-accuracy 0.7000"), below.err().lines().toList());
        assertTrue(below.out().contains("FAILED"), "the report shows the gate: " + below);

        Result both = eval("-o", "json", "--data", jsonl.toString(), "--data", tsv.toString(), "--min-accuracy", "0.7",
                "--min-oos-recall", "0.9");
        assertEquals(2, both.exit(), both.toString());
        assertEquals(List.of("srouter: in-scope accuracy 0.6667 is below --min-accuracy 0.7000",
                "srouter: out-of-scope recall 0.6667 is below --min-oos-recall 0.9000"), both.err().lines().toList());
        JsonNode d = json(both);
        assertFalse(d.get("passed").asBoolean());
        assertEquals("--min-accuracy", d.at("/gates/0/gate").asText());
        assertEquals("accuracy", d.at("/gates/0/metric").asText());
        assertEquals(0.7, d.at("/gates/0/bound").asDouble(), 1e-9);
        assertEquals(0.666667, d.at("/gates/0/value").asDouble(), 1e-9);
        assertFalse(d.at("/gates/0/passed").asBoolean());
        assertEquals("oos_recall", d.at("/gates/1/metric").asText());

        Result quiet = eval("-q", "--data", jsonl.toString(), "--data", tsv.toString(), "--min-accuracy", "0.7");
        assertEquals(2, quiet.exit(), quiet.toString());
        assertEquals(1, quiet.err().lines().count(), "-q keeps the line that explains exit 2: " + quiet);
    }

    @Test
    void gateBoundsOutsideZeroOneAndAnOosGateWithoutNoneLabelsAreUsageErrors() throws IOException {
        Result high = eval("--data", jsonl.toString(), "--min-accuracy", "1.5");
        assertEquals(64, high.exit(), high.toString());
        assertTrue(high.err().contains("--min-accuracy must be in [0,1], got 1.5"), high.toString());
        assertEquals(64, eval("--data", jsonl.toString(), "--min-oos-recall", "-0.1").exit());
        assertEquals(64, eval("--data", jsonl.toString(), "--min-accuracy", "NaN").exit());

        Path inScopeOnly = dir.resolve("in-scope-only.tsv");
        Files.writeString(inScopeOnly, "hello there\tgreetings\n");
        Result noOos = eval("--data", inScopeOnly.toString(), "--min-oos-recall", "0.5");
        assertEquals(64, noOos.exit(), noOos.toString());
        assertTrue(noOos.err().contains("--min-oos-recall needs queries labelled none"), noOos.toString());

        Path noneOnly = dir.resolve("none-only.tsv");
        Files.writeString(noneOnly, "banana bread\t-\n");
        Result noInScope = eval("--data", noneOnly.toString(), "--min-accuracy", "0.5");
        assertEquals(64, noInScope.exit(), noInScope.toString());
    }

    @Test
    void missesFileListsTheMisroutedQueriesAndReadsAsDataAgain() throws IOException {
        Path misses = dir.resolve("out/misses.tsv");
        Files.createDirectories(misses.getParent());
        Files.writeString(misses, "old content\n");
        Result r = eval("--data", jsonl.toString(), "--data", tsv.toString(), "--misses", misses.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("wrote 3 misses to " + misses + "\n", r.err(), r.toString());
        List<String> lines = Files.readAllLines(misses);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("update my credit card\tgreetings\tbilling\t1.0000", lines.get(0));
        assertEquals("good morning\t-\tgreetings\t1.0000", lines.get(1));
        assertTrue(lines.get(2).matches("a recipe for banana bread\tbilling\t-\t0\\.\\d{4}"), lines.get(2));
        try (Stream<Path> files = Files.list(misses.getParent())) {
            assertEquals(List.of(misses), files.toList(), "no temporary file left beside it");
        }

        Result again = eval("-o", "json", "--data", misses.toString());
        assertEquals(0, again.exit(), again.toString());
        JsonNode d = json(again);
        assertEquals(3, d.get("misses").asInt(), "every miss misses again: " + d);
        assertEquals(0.0, d.get("accuracy").asDouble(), 1e-9);
        assertEquals(0.0, d.get("oos_recall").asDouble(), 1e-9);
        assertEquals(misses.toString(), JSON.readTree(eval("-o", "json", "--data", jsonl.toString(), "--misses", misses.toString()).out())
                .get("misses_file").asText());
    }

    @Test
    void textReportShowsTheFiguresTheTableAndTheConfusedPairsWithinTheWidth() {
        Result r = eval("--data", jsonl.toString(), "--data", tsv.toString());
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(r.out().replaceAll("\\s+", " ").startsWith("9 labelled queries from " + jsonl + " (6), " + tsv
                + " (3); decision knn (threshold 0.9500, top-k 5, sum)"), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("in-scope accuracy +0\\.6667 +4 of 6 queries labelled with a route got it.*")),
                r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("out-of-scope recall +0\\.6667 +2 of 3 queries labelled none got no route.*")),
                r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("calibration error \\(ECE\\) +n/a +the knn decision carries no calibrated confidence")),
                r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("ROUTE +SUPPORT +PRECISION +RECALL +F1")), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("billing +2 +0\\.5000 +0\\.5000 +0\\.5000")), r.toString());
        int pairs = lines.indexOf("most confused (expected -> got, '-' for none):");
        assertTrue(pairs > 0, r.toString());
        assertTrue(lines.get(pairs + 2).matches("- +greetings +1"), r.toString());
        assertTrue(lines.get(pairs + 3).matches("billing +- +1"), r.toString());
        assertTrue(lines.stream().allMatch(l -> l.length() <= TerminalWidth.DEFAULT), r.toString());

        Result narrow = cli().interactive(true).env("COLUMNS", "50").env("NO_COLOR", "1")
                .run("eval", "--routes=" + routes, "--threshold", "0.95", "--data", jsonl.toString(), "--data", tsv.toString());
        assertEquals(0, narrow.exit(), narrow.toString());
        assertTrue(narrow.out().lines().allMatch(l -> l.length() <= 50), narrow.toString());
        assertTrue(narrow.out().lines().anyMatch(l -> l.matches("greetings +2 +0\\.5000 +0\\.5000 +0\\.5000")), "no name cut: " + narrow);
    }

    @Test
    void onlyTextAndJsonOutput() throws IOException {
        Result r = eval("--data", jsonl.toString(), "-o", "tsv");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("'srouter eval' has no -o tsv output; it supports -o text, -o json"), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void aLabelNamingAnUnknownRouteExits65WithFileLineAndASuggestion() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"hello there\", \"route\": \"greetings\"}\n{\"text\": \"my bill\", \"route\": \"biling\"}\n");
        Result r = eval("--data", bad.toString());
        assertEquals(65, r.exit(), r.toString());
        assertEquals("srouter: " + bad + ":2: route 'biling' is not in " + routes + "; did you mean 'billing'?\n", r.err());
        assertEquals("", r.out());

        Result json = eval("-o", "json", "--data", bad.toString());
        assertEquals(65, json.exit(), json.toString());
        assertTrue(JSON.readTree(json.err().strip()).at("/error/message").asText().startsWith(bad + ":2: route 'biling'"), json.toString());
    }

    @Test
    void badDataExits65NamingFileAndLine() throws IOException {
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"text\": \"hello there\", \"route\": \"greetings\"}\n\n{\"text\": \"oops\"\n");
        Result r = eval("--data", jsonl.toString(), "--data", broken.toString());
        assertEquals(65, r.exit(), r.toString());
        assertTrue(r.err().startsWith("srouter: " + broken + ":3: not valid JSON"), r.toString());
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n\n");
        Result none = eval("--data", empty.toString());
        assertEquals(65, none.exit(), none.toString());
        assertTrue(none.err().contains(empty + ": no labelled queries"), none.toString());
    }

    @Test
    void theFormatComesFromTheExtensionUnlessDataFormatSays() throws IOException {
        Path txt = dir.resolve("labelled.txt");
        Files.writeString(txt, "hello there\tgreetings\nbanana bread\t-\n");
        Result unknown = eval("--data", txt.toString());
        assertEquals(64, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("--data-format"), unknown.toString());
        Result given = eval("-o", "json", "--data", txt.toString(), "--data-format", "tsv");
        assertEquals(0, given.exit(), given.toString());
        JsonNode d = json(given);
        assertEquals(1.0, d.get("accuracy").asDouble(), 1e-9);
        assertEquals(1.0, d.get("oos_recall").asDouble(), 1e-9);
        assertEquals("tsv", d.at("/data/0/format").asText());
    }

    @Test
    void routingOptionsApplyAndLimitOrExplainAreNotOptionsOfEval() throws IOException {
        // A lower threshold lets the banana bread (labelled billing) and the mitochondria (none) find some route or not;
        // --filter weather leaves the billing and greetings queries without a route.
        JsonNode filtered = json(eval("-o", "json", "--data", jsonl.toString(), "--filter", "weather"));
        assertEquals(2, filtered.get("in_scope_correct").asInt(), filtered.toString());
        assertEquals(3, filtered.get("in_scope_no_route").asInt(), filtered.toString());

        Result limit = eval("--data", jsonl.toString(), "--limit", "3");
        assertEquals(64, limit.exit(), limit.toString());
        assertTrue(limit.err().contains("Unknown options: '--limit'"), limit.toString());
        assertEquals(64, eval("--data", jsonl.toString(), "--explain").exit());
        Result envLimit = cli().env("SROUTER_LIMIT", "3").run("eval", "--routes=" + routes, "--threshold", "0.95", "-o", "json", "--data",
                jsonl.toString());
        assertEquals(0, envLimit.exit(), "SROUTER_LIMIT for route does not disturb eval: " + envLimit);
        assertEquals(4, json(envLimit).get("in_scope_correct").asInt());

        Result noData = cli().run("eval", "--routes=" + routes);
        assertEquals(64, noData.exit(), noData.toString());
        assertTrue(noData.err().contains("--data"), noData.toString());
    }
}
