package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code srouter route}, run in-process with the real local encoder and the example routes. */
class RouteCommandTest {
    @TempDir
    static Path cache;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLITICS = "isn't politics the best thing ever";
    private static final String UNRELATED = "the mitochondria is the powerhouse of the cell";

    private static CliRunner cli() {
        return new CliRunner(cache);
    }

    private static String[] args(String... rest) {
        String[] all = new String[rest.length + 2];
        all[0] = "route";
        all[1] = "--routes=" + CliRunner.exampleRoutes();
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    @BeforeAll
    static void warm() {
        // First run fills the embedding cache; later runs read it.
        assertEquals(0, cli().run(args("hello")).exit());
    }

    @Test
    void routesATextToItsRouteWithAScore() {
        Result r = cli().run(args(POLITICS));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("politics \\d\\.\\d{4} \\(best similarity 1\\.0000 >= threshold 0\\.6000\\)\\n"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void unrelatedTextGetsNoRoute() {
        Result r = cli().run(args(UNRELATED));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("-\n", r.out(), r.toString());
    }

    @Test
    void oneDecisionPerTextInOrder() {
        Result r = cli().run(args(POLITICS, UNRELATED, "where is my order? 🚚"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("politics "), r.toString());
        assertEquals("-", lines.get(1), r.toString());
        assertTrue(lines.get(2).startsWith("customer support "), r.toString());
    }

    @Test
    void jsonOutputHasOneObjectPerLineWithTheDocumentedFields() throws IOException {
        Result r = cli().run(args("-o", "json", POLITICS, UNRELATED));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.toString());
        JsonNode hit = JSON.readTree(lines.get(0));
        assertEquals(POLITICS, hit.get("text").asText());
        assertEquals("politics", hit.get("route").asText());
        assertTrue(hit.get("score").isNumber() && hit.get("score").asDouble() > 0 && hit.get("score").asDouble() <= 5,
                "a sum of at most top-k similarities: " + r);
        assertEquals(0.6, hit.get("threshold").asDouble(), 1e-9);
        assertFalse(hit.has("candidates"), "candidates only with --explain or --limit");
        JsonNode miss = JSON.readTree(lines.get(1));
        assertTrue(miss.get("route").isNull(), r.toString());
        assertTrue(miss.get("score").isNull(), r.toString());
        assertEquals(0.6, miss.get("threshold").asDouble(), 1e-9);
    }

    @Test
    void explainAddsCandidatesAndNearestUtterances() throws IOException {
        JsonNode d = JSON.readTree(cli().run(args("-o", "json", "--explain", POLITICS)).out());
        assertEquals(5, d.get("nearest").size(), d.toString());
        assertEquals(POLITICS, d.get("nearest").get(0).get("utterance").asText(), "the utterance itself is its own nearest");
        assertEquals(1.0, d.get("nearest").get(0).get("score").asDouble(), 1e-3);
        JsonNode first = d.get("candidates").get(0);
        assertEquals("politics", first.get("route").asText());
        assertTrue(first.get("passed").asBoolean());
        double sum = 0;
        for (JsonNode hit : d.get("nearest")) {
            sum += hit.get("route").asText().equals("politics") ? hit.get("score").asDouble() : 0;
        }
        assertEquals(sum, first.get("score").asDouble(), 1e-4, "the default aggregation sums a route's similarities among the top-k");
        JsonNode mean = JSON.readTree(cli().run(args("-o", "json", "--explain", "--aggregation", "mean", POLITICS)).out());
        assertEquals(sum / first.get("hits").asInt(), mean.at("/candidates/0/score").asDouble(), 1e-4, mean.toString());
        Result text = cli().run(args("--explain", POLITICS));
        assertTrue(text.out().contains("nearest utterances:") && text.out().contains("candidates"), text.toString());
    }

    @Test
    void limitReturnsSeveralPassingRoutes() throws IOException {
        Result r = cli().run(args("-o", "json", "--limit", "3", "--threshold", "0.1", "my card was charged twice"));
        JsonNode d = JSON.readTree(r.out());
        assertTrue(d.get("routes").size() >= 2, r.toString());
        assertEquals(d.get("route").asText(), d.get("routes").get(0).get("route").asText());
        double first = d.get("routes").get(0).get("score").asDouble();
        double second = d.get("routes").get(1).get("score").asDouble();
        assertTrue(first >= second, "best first: " + r);
    }

    @Test
    void tsvOutputIsTextRouteScore() {
        Result r = cli().run(args("-o", "tsv", POLITICS, UNRELATED));
        List<String> lines = r.out().lines().toList();
        String[] hit = lines.get(0).split("\t", -1);
        assertEquals(3, hit.length, r.toString());
        assertEquals(POLITICS, hit[0]);
        assertEquals("politics", hit[1]);
        assertTrue(hit[2].matches("\\d\\.\\d{4}"), r.toString());
        assertEquals(UNRELATED + "\t-\t-", lines.get(1));
    }

    @Test
    void filterRestrictsCandidateRoutes() throws IOException {
        Result r = cli().run(args("-o", "json", "--explain", "--filter", "chitchat,greetings", POLITICS));
        assertEquals(0, r.exit(), r.toString());
        JsonNode d = JSON.readTree(r.out());
        for (JsonNode c : d.get("candidates")) {
            assertTrue(List.of("chitchat", "greetings").contains(c.get("route").asText()), r.toString());
        }
    }

    @Test
    void filterNamingAnUnknownRouteIsAUsageError() {
        Result r = cli().run(args("--filter", "polittics", POLITICS));
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("polittics") && r.err().contains("politics"), r.toString());
    }

    @Test
    void thresholdFlagChangesTheDecision() {
        assertEquals("-\n", cli().run(args("--threshold", "1", "where is my parcel")).out());
        assertTrue(cli().run(args("--threshold", "0", "where is my parcel")).out().startsWith("customer support "));
    }

    @Test
    void readsStdinLinesAndAnswersInOrderKeepingBlankLines() {
        Result r = cli().stdin(POLITICS + "\n\n" + UNRELATED + "\nwhere is my order? 🚚\n").run(args("-o", "tsv", "-"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith(POLITICS + "\tpolitics\t"), r.toString());
        assertEquals("\t-\t-", lines.get(1));
        assertEquals(UNRELATED + "\t-\t-", lines.get(2));
        assertTrue(lines.get(3).startsWith("where is my order? 🚚\tcustomer support\t"), r.toString());
    }

    @Test
    void stdinLargerThanAChunkKeepsOrder() {
        StringBuilder in = new StringBuilder();
        int n = RouteCommand.STDIN_CHUNK * 2 + 17;
        for (int i = 0; i < n; i++) {
            in.append(i % 2 == 0 ? POLITICS : UNRELATED).append('\n');
        }
        Result r = cli().stdin(in.toString()).run(args("-"));
        List<String> lines = r.out().lines().toList();
        assertEquals(n, lines.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i % 2 == 0, lines.get(i).startsWith("politics "), "line " + i + ": " + lines.get(i));
        }
    }

    @Test
    void aClosedStdoutEndsTheStreamQuietly() {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            in.append(POLITICS).append('\n');
        }
        OutputStream closedAfter100Bytes = new OutputStream() {
            int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 100) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        Result r = cli().stdin(in.toString()).out(new PrintWriter(closedAfter100Bytes)).run(args("-"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), "no complaint about the closed pipe: " + r);
    }

    @Test
    void noTextWithoutATerminalIsAOneLineUsageErrorWithAPointerToHelp() {
        Result r = cli().run(args());
        assertEquals(64, r.exit(), r.toString());
        assertEquals(List.of("srouter: no text to route: give TEXT arguments, '-' to read standard input, or run on a terminal for the REPL",
                "Try 'srouter route --help' for more information."), r.err().lines().toList(), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void aTextThatStartsWithADashIsNeitherHelpNorVersion() {
        for (String text : List.of("-hello there", "-Vx", "-v-is for victory")) {
            Result r = cli().run(args(text));
            assertEquals(64, r.exit(), "'" + text + "' must not print help or the version: " + r);
            assertEquals("", r.out(), r.toString());
            assertTrue(r.err().contains("Unknown option: '" + text + "'"), r.toString());
            assertTrue(r.err().contains("put -- before it: srouter route -- '" + text + "'"), "a hint to use --: " + r);
        }
    }

    @Test
    void aTextThatLooksLikeAnUnknownOptionFailsWithAHintToUseTheEndOfOptions() {
        Result r = cli().run(args("--fix my invoice"));
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("Unknown option: '--fix my invoice'") && r.err().contains("put -- before it"), r.toString());
        assertTrue(r.err().endsWith("Try 'srouter route --help' for more information.\n"), r.toString());
    }

    @Test
    void textsAfterTheEndOfOptionsAreRoutedEvenWhenTheyStartWithADash() {
        Result r = cli().run(args("--", "-" + POLITICS, "--version"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("politics "), r.toString());
        Result help = cli().run(args("-h"));
        assertEquals(0, help.exit(), "a real -h still asks for help: " + help);
        assertTrue(help.out().startsWith("Usage: srouter route"), help.toString());
    }

    @Test
    void dashMixedWithTextIsAUsageError() {
        Result r = cli().run(args("-", POLITICS));
        assertEquals(64, r.exit(), r.toString());
    }

    @Test
    void missingRoutesFileExits65AndSaysHowToCreateOne() {
        Result r = cli().run("route", "-r", "/nonexistent/routes.yaml", POLITICS);
        assertEquals(65, r.exit(), r.toString());
        assertTrue(r.err().contains("/nonexistent/routes.yaml"), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void invalidRoutesFileExits65WithPosition(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("routes.yaml");
        Files.writeString(bad, "routes:\n  - name: a\n    utterances: [x]\n  - name: a\n    utterances: [y]\n");
        Result r = cli().run("route", "-r", bad.toString(), POLITICS);
        assertEquals(65, r.exit(), r.toString());
        assertTrue(r.err().contains(bad + ":4:"), r.toString());
    }

    @Test
    void aFileSemanticRouterAcceptsLoadsWithOneWarningPerForgivenLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, "routes:\n  - name: politics\n    utterances:\n      - isn't politics the best thing ever\n      - \"\"\n"
                + "      - isn't politics the best thing ever\n");
        Result r = cli().run("route", "-r", f.toString(), POLITICS);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("politics "), r.toString());
        assertTrue(r.err().contains(f + ":5:9: empty utterance #2 in route 'politics' skipped"), r.toString());
        assertTrue(r.err().contains(f + ":6:9: repeated utterance"), r.toString());
        assertEquals(2, r.err().lines().filter(l -> l.contains("warning")).count(), r.toString());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertEquals(64, cli().run(args("--threshold", "1.5", POLITICS)).exit());
        assertEquals(64, cli().run(args("--top-k", "0", POLITICS)).exit());
        assertEquals(64, cli().run(args("--limit", "0", POLITICS)).exit());
        assertEquals(64, cli().run(args("--aggregation", "median", POLITICS)).exit());
        assertEquals(64, cli().run(args("-o", "xml", POLITICS)).exit());
        assertEquals(64, cli().run(args("--encoder", "cohre", POLITICS)).exit());
        Result unknown = cli().run(args("--treshold", "0.5", POLITICS));
        assertEquals(64, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("--threshold"), "did-you-mean: " + unknown);
    }

    @Test
    void environmentVariablesSetOptionDefaults() throws IOException {
        Result r = cli().env("SROUTER_ROUTES", CliRunner.exampleRoutes()).env("SROUTER_OUTPUT", "json").run("route", POLITICS);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("politics", JSON.readTree(r.out()).get("route").asText());
        Result flagWins = cli().env("SROUTER_OUTPUT", "json").run(args("-o", "tsv", POLITICS));
        assertTrue(flagWins.out().startsWith(POLITICS + "\t"), flagWins.toString());
    }

    @Test
    void colourOnlyOnATerminalAndNeverWithNoColor() {
        Result tty = cli().interactive(true).run(args(POLITICS));
        assertTrue(tty.out().contains("\u001b["), "a terminal gets colour: " + tty);
        Result noColor = cli().interactive(true).env("NO_COLOR", "1").run(args(POLITICS));
        assertFalse(noColor.out().contains("\u001b["), noColor.toString());
        Result flag = cli().interactive(true).run(args("--no-color", POLITICS));
        assertFalse(flag.out().contains("\u001b["), flag.toString());
        assertFalse(cli().run(args(POLITICS)).out().contains("\u001b["), "a pipe gets none");
    }

    @Test
    void colourFollowsTermNoColorAndClicolorForce() {
        Result dumb = cli().interactive(true).env("TERM", "dumb").run(args(POLITICS));
        assertFalse(dumb.out().contains("\u001b["), "TERM=dumb means no colour: " + dumb);
        Result emptyNoColor = cli().interactive(true).env("NO_COLOR", "").run(args(POLITICS));
        assertTrue(emptyNoColor.out().contains("\u001b["), "an empty NO_COLOR does not count (no-color.org): " + emptyNoColor);
        Result forced = cli().env("CLICOLOR_FORCE", "1").run(args(POLITICS));
        assertTrue(forced.out().contains("\u001b["), "CLICOLOR_FORCE=1 forces colour into a pipe: " + forced);
        Result forcedOff = cli().env("CLICOLOR_FORCE", "0").run(args(POLITICS));
        assertFalse(forcedOff.out().contains("\u001b["), "CLICOLOR_FORCE=0 forces nothing: " + forcedOff);
        Result flagWins = cli().env("CLICOLOR_FORCE", "1").run(args("--no-color", POLITICS));
        assertFalse(flagWins.out().contains("\u001b["), "--no-color wins over CLICOLOR_FORCE: " + flagWins);
        Result noColorWins = cli().env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1").run(args(POLITICS));
        assertFalse(noColorWins.out().contains("\u001b["), "NO_COLOR wins over CLICOLOR_FORCE: " + noColorWins);
    }

    @Test
    void verboseReportsEncoderOnStderrAndQuietStaysSilent() {
        Result v = cli().run(args("-v", POLITICS));
        assertTrue(v.err().contains("encoder local:all-MiniLM-L6-v2-q (dimension 384)"), v.toString());
        assertTrue(v.out().startsWith("politics "), v.toString());
    }

    @Test
    void helpAndVersion() {
        Result help = cli().run("route", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Examples:") && help.out().contains("--threshold"), help.toString());
        Result version = cli().run("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().matches("(?s)srouter \\d+\\.\\d+\\.\\d+.*"), version.toString());
        Result root = cli().run("--help");
        assertTrue(root.out().contains("route") && root.out().contains("repl") && root.out().contains("completion"), root.toString());
    }

    @Test
    void bgeEncoderIsSelectable() {
        Result r = cli().run(args("--encoder", "local:bge-small-en-v1.5", "-v", POLITICS));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("local:bge-small-en-v1.5-q"), r.toString());
        assertTrue(r.out().startsWith("politics "), r.toString());
    }

    @Test
    void encoderNamesMatchWholeWithADidYouMean() {
        Result prefix = cli().run(args("--encoder", "local:bge", POLITICS));
        assertEquals(64, prefix.exit(), "a part of a model name is not a name: " + prefix);
        assertEquals("", prefix.out(), prefix.toString());
        assertTrue(prefix.err().contains("did you mean local:bge-small-en-v1.5?"), prefix.toString());
        assertEquals(64, cli().run(args("--encoder", "local:minilm", POLITICS)).exit());
    }

    @Test
    void theEncoderNamesAnErrorListsAreAcceptedByTheOption() {
        // Azure and TEI need their endpoint to be built; onnx:DIR a directory (OnnxDirectoryEncoderTest builds one).
        java.util.Map<String, String> env = java.util.Map.of("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com",
                "HF_API_URL", "http://127.0.0.1:9/", "AWS_REGION", "us-east-1");
        for (String typo : List.of("cohre", "local:gpt-9", "local:bge")) {
            Result r = cli().run(args("--encoder", typo, POLITICS));
            assertEquals(64, r.exit(), r.toString());
            java.util.regex.Matcher listed = java.util.regex.Pattern.compile("--encoder takes (.*), each HTTP provider also as NAME:MODEL")
                    .matcher(r.err());
            assertTrue(listed.find(), "the error lists the accepted names: " + r);
            for (String name : listed.group(1).split(", ")) {
                if (name.equals("onnx:DIR")) {
                    continue;
                }
                try (dev.srouter.encoder.Encoder e = dev.srouter.encoder.Encoders.create(name, null, null, env)) {
                    assertTrue(e.name().startsWith(name.replaceFirst(":.*", "")), name + " -> " + e.name());
                }
            }
        }
    }

    @Test
    void aRoutesFileNamingSemanticRoutersCohereEncoderEmbedsWithCohere(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, "encoder_type: cohere\nencoder_name: embed-english-v3.0\nroutes:\n  - name: greet\n    utterances: [hello]\n");
        Result r = cli().run("route", "-r", file.toString(), "hi there");
        assertEquals(4, r.exit(), "no key, so Cohere cannot be reached: " + r);
        assertTrue(r.err().contains("COHERE_API_KEY"), r.toString());
        Result sparse = cli().run("route", "-r", file.toString(), "--encoder", "bm25", "hi there");
        assertEquals(64, sparse.exit(), sparse.toString());
        assertTrue(sparse.err().contains("has no encoder that makes its vectors"), sparse.toString());
    }

    @Test
    void booleanFlagsAcceptCommonSpellingsFromTheEnvironment() {
        for (String on : List.of("1", "true", "yes", "ON")) {
            Result r = cli().env("SROUTER_VERBOSE", on).run(args(POLITICS));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("encoder local:"), on + " turns -v on: " + r);
        }
        Result off = cli().env("SROUTER_VERBOSE", "0").run(args(POLITICS));
        assertEquals("", off.err(), off.toString());
        Result bad = cli().env("SROUTER_VERBOSE", "maybe").run(args(POLITICS));
        assertEquals(64, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("--verbose"), bad.toString());
    }
}
