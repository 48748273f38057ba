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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code srouter lint}, run in-process with the real local encoder. */
class LintCommandTest {
    @TempDir
    static Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A flight request among the weather, and one text in both routes. */
    static final String FINDINGS = String.join("\n",
            "routes:",
            "  - name: weather",
            "    utterances:",
            "      - what's the weather like today?",
            "      - will it rain tomorrow?",
            "      - is it going to be sunny this weekend?",
            "      - how hot will it be this afternoon?",
            "      - what is the forecast for tonight?",
            "      - I want to book a flight to Paris",
            "  - name: travel",
            "    utterances:",
            "      - book me a flight to London",
            "      - I need a plane ticket to Rome",
            "      - find me a hotel in Berlin",
            "      - I want to rent a car at the airport",
            "      - what time does my train leave?",
            "      - will it rain tomorrow?",
            "");

    /** Two routes far apart, five utterances each, every utterance nearest to one of its own route. */
    static final String CLEAN = String.join("\n",
            "routes:",
            "  - name: weather",
            "    utterances:",
            "      - what's the weather like today?",
            "      - what's the weather forecast for tomorrow?",
            "      - will it rain this weekend?",
            "      - is it going to be sunny today?",
            "      - how hot will it be this afternoon?",
            "  - name: music",
            "    utterances:",
            "      - play some music",
            "      - play some jazz music",
            "      - put on some rock music",
            "      - play my favourite songs",
            "      - play music by the Beatles",
            "");

    private static Path findings;
    private static Path clean;

    @BeforeAll
    static void files() throws IOException {
        findings = Files.writeString(dir.resolve("findings.yaml"), FINDINGS);
        clean = Files.writeString(dir.resolve("clean.yaml"), CLEAN);
    }

    private static CliRunner cli() {
        return new CliRunner(dir.resolve("cache"));
    }

    private static Result lint(Path routes, String... rest) {
        List<String> args = new ArrayList<>(List.of("lint", "--routes=" + routes));
        args.addAll(List.of(rest));
        return cli().run(args.toArray(String[]::new));
    }

    private static JsonNode json(Result r) throws IOException {
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "one JSON document on one line: " + r);
        return JSON.readTree(lines.get(0));
    }

    /** The 1-based lines of {@code text} where {@code content} stands, in order. */
    private static List<Integer> linesOf(String text, String content) {
        List<String> lines = text.lines().toList();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(content)) {
                out.add(i + 1);
            }
        }
        return out;
    }

    private static List<JsonNode> ofKind(JsonNode doc, String kind) {
        List<JsonNode> out = new ArrayList<>();
        doc.get("findings").forEach(f -> {
            if (f.get("kind").asText().equals(kind)) {
                out.add(f);
            }
        });
        return out;
    }

    @Test
    void aDuplicateAcrossRoutesAndAMisplacedUtteranceExit2WithThoseFindingsInJson() throws IOException {
        Result r = lint(findings, "-o", "json");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        JsonNode doc = json(r);
        assertTrue(doc.get("failed").asBoolean(), r.toString());
        assertEquals(2, doc.get("routes").asInt());
        assertEquals(12, doc.get("utterances").asInt());
        assertEquals("local:all-MiniLM-L6-v2-q", doc.get("encoder").asText());

        List<JsonNode> duplicates = ofKind(doc, "duplicate");
        assertEquals(1, duplicates.size(), doc.toPrettyString());
        JsonNode d = duplicates.get(0);
        List<Integer> rain = linesOf(FINDINGS, "- will it rain tomorrow?");
        assertEquals("weather", d.get("route").asText());
        assertEquals("will it rain tomorrow?", d.get("utterance").asText());
        assertEquals(rain.get(0), d.get("line").asInt());
        assertEquals(9, d.get("column").asInt(), "the column of the utterance's text, after '- '");
        assertEquals("travel", d.at("/other/route").asText());
        assertEquals("will it rain tomorrow?", d.at("/other/utterance").asText());
        assertEquals(rain.get(1), d.at("/other/line").asInt());
        assertTrue(d.get("identical").asBoolean());
        assertEquals(1.0, d.get("similarity").asDouble(), 1e-5);

        JsonNode paris = ofKind(doc, "misplaced").stream().filter(m -> m.get("utterance").asText().equals("I want to book a flight to Paris"))
                .findFirst().orElseThrow(() -> new AssertionError("the flight among the weather is misplaced: " + doc.toPrettyString()));
        assertEquals("weather", paris.get("route").asText());
        assertEquals(linesOf(FINDINGS, "- I want to book a flight to Paris"), List.of(paris.get("line").asInt()));
        assertEquals("travel", paris.at("/neighbour/route").asText());
        String neighbour = paris.at("/neighbour/utterance").asText();
        assertEquals(linesOf(FINDINGS, "- " + neighbour), List.of(paris.at("/neighbour/line").asInt()));
        double similarity = paris.get("similarity").asDouble();
        assertTrue(similarity > 0.3 && similarity < 0.95, paris.toString());
        for (JsonNode m : ofKind(doc, "misplaced")) {
            assertFalse(m.get("route").asText().equals(m.at("/neighbour/route").asText()), "a misplaced utterance's neighbour is elsewhere: " + m);
        }
        assertTrue(ofKind(doc, "misplaced").stream().noneMatch(m -> m.get("utterance").asText().startsWith("what's the weather")),
                "an utterance nearest its own route is not misplaced: " + doc.toPrettyString());

        JsonNode counts = doc.get("counts");
        assertEquals(List.of("misplaced", "duplicate", "close-routes", "few-utterances"), iterate(counts.fieldNames()));
        assertEquals(ofKind(doc, "misplaced").size(), counts.get("misplaced").asInt());
        assertEquals(1, counts.get("duplicate").asInt());
        assertEquals(0, counts.get("close-routes").asInt());
        assertEquals(0, counts.get("few-utterances").asInt());
        assertEquals(doc.get("findings").size(), doc.get("total").asInt());
        assertEquals(0.95, doc.at("/settings/duplicate_similarity").asDouble(), 0.0);
        assertEquals(0.85, doc.at("/settings/route_similarity").asDouble(), 0.0);
        assertEquals(5, doc.at("/settings/min_utterances").asInt());
        assertEquals(4, doc.at("/settings/fail_on").size());
    }

    private static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void aCleanFileExits0() throws IOException {
        Result text = lint(clean);
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("no findings in 2 routes, 10 utterances"), text.toString());
        assertTrue(text.out().lines().anyMatch(l -> l.equals("passed (--fail-on all): exit 0")), text.toString());
        JsonNode doc = json(lint(clean, "-o", "json"));
        assertFalse(doc.get("failed").asBoolean(), doc.toString());
        assertEquals(0, doc.get("findings").size(), doc.toString());
        assertEquals(0, doc.get("total").asInt());
    }

    @Test
    void failOnNoneExits0AndStillPrintsTheFindings() throws IOException {
        Result r = lint(findings, "--fail-on", "none");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("duplicate: 1 pair of utterances in two routes"), r.toString());
        assertTrue(r.out().contains("will it rain tomorrow? (travel, line " + linesOf(FINDINGS, "- will it rain tomorrow?").get(1) + ")"),
                r.toString());
        assertTrue(r.out().contains("I want to book a flight to Paris"), r.toString());
        assertTrue(r.out().contains("duplicate: 1 pair of utterances in two routes with similarity >= 0.95 or the same text (not failing)"), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.equals("passed (--fail-on none): exit 0")), r.toString());
        JsonNode doc = json(lint(findings, "--fail-on", "none", "-o", "json"));
        assertFalse(doc.get("failed").asBoolean());
        assertEquals(1, doc.at("/counts/duplicate").asInt());
        assertEquals(0, doc.at("/settings/fail_on").size());
    }

    @Test
    void onlyTheKindsFailOnNamesFail() {
        assertEquals(2, lint(findings, "--fail-on", "duplicate").exit());
        assertEquals(2, lint(findings, "--fail-on", "few-utterances,misplaced").exit());
        assertEquals(0, lint(findings, "--fail-on", "few-utterances,close-routes").exit(), "neither kind was found");
        assertEquals(2, lint(findings, "--fail-on", "few-utterances", "--min-utterances", "7").exit(), "6 utterances each, fewer than 7");
    }

    @Test
    void fewUtterancesNamesTheRouteAndItsLine() throws IOException {
        JsonNode doc = json(lint(clean, "-o", "json", "--min-utterances", "6", "--fail-on", "few-utterances"));
        List<JsonNode> few = ofKind(doc, "few-utterances");
        assertEquals(2, few.size(), doc.toString());
        assertEquals("weather", few.get(0).get("route").asText());
        assertEquals(linesOf(CLEAN, "- name: weather"), List.of(few.get(0).get("line").asInt()));
        assertEquals(5, few.get(0).get("utterances").asInt());
        assertEquals(6, few.get(0).get("minimum").asInt());
        assertEquals("music", few.get(1).get("route").asText());
        assertTrue(doc.get("failed").asBoolean());
    }

    @Test
    void closeRoutesAppearWhenTheThresholdIsLowEnough() throws IOException {
        JsonNode doc = json(lint(clean, "-o", "json", "--route-similarity", "0"));
        List<JsonNode> close = ofKind(doc, "close-routes");
        assertEquals(1, close.size(), doc.toString());
        assertEquals("weather", close.get(0).get("route").asText());
        assertEquals("music", close.get(0).at("/other/route").asText());
        assertEquals(linesOf(CLEAN, "- name: music"), List.of(close.get(0).at("/other/line").asInt()));
        assertTrue(close.get(0).get("similarity").asDouble() < 0.85, "far apart, below the default: " + close);
    }

    @Test
    void theTextFitsTheWidthAndGroupsByKind() {
        Result r = lint(findings);
        List<String> lines = r.out().lines().toList();
        for (String l : lines) {
            assertTrue(l.length() <= TerminalWidth.DEFAULT, "wider than " + TerminalWidth.DEFAULT + ": '" + l + "'\n" + r);
        }
        int misplaced = lines.indexOf(lines.stream().filter(l -> l.startsWith("misplaced: ")).findFirst().orElseThrow());
        int duplicate = lines.indexOf(lines.stream().filter(l -> l.startsWith("duplicate: 1 pair")).findFirst().orElseThrow());
        int close = lines.indexOf("close-routes: none (no two routes whose centroids have similarity >= 0.85)");
        int few = lines.indexOf("few-utterances: none (every route has at least 5 utterances)");
        assertTrue(misplaced >= 0 && misplaced < duplicate && duplicate < close && close < few, r.toString());
        assertTrue(lines.get(misplaced + 1).startsWith("LINE  ROUTE"), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ findings in 2 routes, 12 utterances: misplaced \\d+, duplicate 1, "
                + "close-routes 0, few-utterances 0")), r.toString());
        assertEquals("failed (--fail-on all): exit 2", lines.get(lines.size() - 1), r.toString());
    }

    @Test
    void tsvIsRefusedWith64() {
        Result r = lint(findings, "-o", "tsv");
        assertEquals(64, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertTrue(r.err().contains("'srouter lint' has no -o tsv output"), r.toString());
    }

    @Test
    void anIndexIsRefusedWith64SayingHowToLintWhatItHolds() {
        Result r = lint(findings, "--index", "file:" + dir.resolve("idx"));
        assertEquals(64, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertTrue(r.err().contains("lint reads a routes file (-r), not --index file:") && r.err().contains("srouter pull -r indexed.yaml"),
                r.toString());
    }

    @Test
    void aMissingRoutesFileExits65() {
        Result r = lint(dir.resolve("nope.yaml"));
        assertEquals(65, r.exit(), r.toString());
        assertTrue(r.err().contains("nope.yaml"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void anInvalidRoutesFileExits65WithItsPosition() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "routes:\n  - name: a\n    utterance: [x]\n");
        Result r = lint(bad);
        assertEquals(65, r.exit(), r.toString());
        assertTrue(r.err().contains("bad.yaml:3:5: unknown key 'utterance'"), r.toString());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        Result unknown = lint(clean, "--fail-on", "duplicates");
        assertEquals(64, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("unknown kind 'duplicates'"), unknown.toString());
        assertEquals(64, lint(clean, "--fail-on", "none,duplicate").exit());
        assertEquals(64, lint(clean, "--duplicate-similarity", "1.5").exit());
        assertEquals(64, lint(clean, "--route-similarity", "-0.1").exit());
        assertEquals(64, lint(clean, "--min-utterances", "-1").exit());
    }

    @Test
    void aThresholdThatReportsMoreThanTheMostPairsIsAUsageError() throws IOException {
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (String route : List.of("orders", "tickets")) {
            yaml.append("  - name: ").append(route).append("\n    utterances:\n");
            for (int i = 0; i < 320; i++) {
                yaml.append("      - ").append(route.equals("orders") ? "where is my order number " : "my ticket number ").append(i).append("\n");
            }
        }
        Path many = Files.writeString(dir.resolve("many.yaml"), yaml);
        Result r = lint(many, "--duplicate-similarity", "0");
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("more than 100000 pairs of utterances in two routes are at least 0.0 similar; raise --duplicate-similarity"),
                r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void theEnvironmentSetsOptionsLikeAFlag() {
        Result r = cli().env("SROUTER_FAIL_ON", "none").run("lint", "--routes=" + findings);
        assertEquals(0, r.exit(), r.toString());
    }
}
