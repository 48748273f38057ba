package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code srouter init}, run in-process: what it writes, what it refuses, and that the file routes like routes-example.yaml. */
class InitCommandTest {
    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of(CliRunner.exampleRoutes());
    private static final String MINE = "# my own routes\nroutes:\n  - name: mine\n    utterances: [one of mine]\n";

    private static CliRunner cli() {
        return new CliRunner(cache);
    }

    private static Result init(Path file, String... rest) {
        String[] args = new String[rest.length + 2];
        args[0] = "init";
        args[1] = "--routes=" + file;
        System.arraycopy(rest, 0, args, 2, rest.length);
        return cli().run(args);
    }

    private static JsonNode onlyJson(Result r) throws IOException {
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "one JSON document on one line: " + r);
        return JSON.readTree(lines.get(0));
    }

    /** {@code file} as the hints show it: as it is, unless the temporary directory's name needs quoting. */
    private static String word(Path file) {
        return Shell.word(file.toString());
    }

    /** The names in {@code dir}, sorted: shows a stray temporary file or an unexpected .bak. */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAFileThatReadsAsExactlyTheExampleRoutes() throws IOException {
        Path file = dir.resolve("routes.yaml");

        Result r = init(file);

        assertEquals(ExitCode.OK, r.exit(), r.toString());
        RouteSet example = RoutesFile.read(EXAMPLE);
        assertEquals(example, RoutesFile.read(file), "same encoder, routes, attributes and utterances in the same order");
        assertEquals("wrote " + file + ": 6 routes, 36 utterances; try: srouter route -r " + word(file) + " \"hello there\"\n", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertEquals(List.of("routes.yaml"), names(dir), "no temporary file left, no .bak for a new file");
    }

    @Test
    void theFileIsACommentHeaderThenTheExampleYamlAsItIsWritten() throws IOException {
        Path file = dir.resolve("routes.yaml");
        assertEquals(ExitCode.OK, init(file).exit());

        String text = Files.readString(file);
        String example = Files.readString(EXAMPLE);
        String body = example.substring(example.indexOf("encoder_type:"));
        assertTrue(text.endsWith(body), "the example's YAML, byte for byte, after the header:\n" + text);
        String header = text.substring(0, text.length() - body.length());
        assertTrue(header.lines().allMatch(l -> l.isEmpty() || l.startsWith("#")), "only comments above the YAML:\n" + header);
        assertTrue(header.contains("# Try it:   srouter route -r " + word(file) + " \"hello there\"\n"), header);
        assertTrue(header.contains("# Check it: srouter lint -r " + word(file) + "\n"), header);
        assertTrue(header.contains("README.md, section \"Routes file\""), header);
        assertFalse(header.contains("routes-example.yaml \""), "the example's own 'Try:' line, naming the example file, is left out:\n" + header);
    }

    @Test
    void anotherFileGivenWithRoutesIsWrittenAndNamedQuotedInTheHints() throws IOException {
        Path file = dir.resolve("my routes.yaml");

        Result r = init(file);

        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals(RoutesFile.read(EXAMPLE), RoutesFile.read(file));
        assertFalse(Files.exists(dir.resolve("routes.yaml")), "only the -r file is written");
        String quoted = "'" + file + "'";
        assertTrue(r.out().endsWith("try: srouter route -r " + quoted + " \"hello there\"\n"), r.toString());
        assertTrue(Files.readString(file).contains("# Check it: srouter lint -r " + quoted + "\n"), Files.readString(file));
    }

    @Test
    void anExistingFileIsRefusedWithExit64AndLeftAsItWas() throws IOException {
        Path file = Files.writeString(dir.resolve("routes.yaml"), MINE);

        Result r = init(file);

        assertEquals(ExitCode.USAGE, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("srouter: " + file + " exists; nothing written (srouter init --force replaces it, keeping " + file + ".bak)\n",
                r.err(), r.toString());
        assertEquals(MINE, Files.readString(file));
        assertEquals(List.of("routes.yaml"), names(dir), "no temporary file left, no .bak");
    }

    @Test
    void forceReplacesAnExistingFileKeepingTheOldOneAsBak() throws IOException {
        Path file = Files.writeString(dir.resolve("routes.yaml"), MINE);

        Result r = init(file, "--force");

        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals(InitCommand.starterText(file), Files.readString(file));
        assertEquals(MINE, Files.readString(dir.resolve("routes.yaml.bak")));
        assertEquals("replaced " + file + " (previous kept as " + file + ".bak): 6 routes, 36 utterances; try: srouter route -r " + word(file)
                + " \"hello there\"\n", r.out(), r.toString());
        assertEquals(List.of("routes.yaml", "routes.yaml.bak"), names(dir));
    }

    @Test
    void jsonIsOneObjectWithTheFileWhatHappenedAndTheCounts() throws IOException {
        Path file = dir.resolve("routes.yaml");

        Result created = init(file, "-o", "json");

        assertEquals(ExitCode.OK, created.exit(), created.toString());
        assertEquals("", created.err(), created.toString());
        JsonNode doc = onlyJson(created);
        List<String> fields = new ArrayList<>();
        doc.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("routes_file", "status", "backup", "routes", "utterances"), fields, doc.toString());
        assertEquals(file.toString(), doc.get("routes_file").asText());
        assertEquals("created", doc.get("status").asText());
        assertTrue(doc.get("backup").isNull(), doc.toString());
        assertEquals(6, doc.get("routes").asInt());
        assertEquals(36, doc.get("utterances").asInt());

        JsonNode replaced = onlyJson(init(file, "-o", "json", "--force", "-q"));
        assertEquals("replaced", replaced.get("status").asText(), replaced.toString());
        assertEquals(file + ".bak", replaced.get("backup").asText(), replaced.toString());

        Result refused = init(file, "-o", "json");
        assertEquals(ExitCode.USAGE, refused.exit(), refused.toString());
        assertEquals("", refused.out(), refused.toString());
        JsonNode error = JSON.readTree(refused.err().lines().reduce((a, b) -> b).orElseThrow()).get("error");
        assertEquals("usage", error.get("kind").asText(), refused.toString());
        assertEquals(64, error.get("code").asInt(), refused.toString());
    }

    @Test
    void quietPrintsNothingAndStillWrites() throws IOException {
        Path file = dir.resolve("routes.yaml");

        Result r = init(file, "-q");

        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertEquals(RoutesFile.read(EXAMPLE), RoutesFile.read(file));
    }

    @Test
    void aDirectoryThatDoesNotExistIsAFailureAndIsNotCreated() {
        Path missing = dir.resolve("no-such-dir");
        Path file = missing.resolve("routes.yaml");

        Result r = init(file);

        assertEquals(ExitCode.FAILURE, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals("srouter: cannot write " + file + ": no such directory " + missing + "; create it first\n", r.err(), r.toString());
        assertFalse(Files.exists(missing), "init does not make directories");
    }

    @Test
    void aDirectoryAsTheRoutesFileIsAUsageError() throws IOException {
        Result r = init(dir);

        assertEquals(ExitCode.USAGE, r.exit(), r.toString());
        assertTrue(r.err().startsWith("srouter: " + dir + " is a directory; pass the routes file to write with -r/--routes"), r.toString());
        assertEquals(List.of(), names(dir));
    }

    @Test
    void theWrittenFileRoutesHelloThereToGreetings() throws IOException {
        Path file = dir.resolve("routes.yaml");
        assertEquals(ExitCode.OK, init(file, "-q").exit());

        Result r = cli().run("route", "--routes=" + file, "-o", "json", InitCommand.TRY_TEXT);

        assertEquals(ExitCode.OK, r.exit(), r.toString());
        assertEquals("greetings", onlyJson(r).get("route").asText(), r.toString());
    }

    @Test
    void tsvIsRefusedBeforeAnythingIsWritten() {
        Path file = dir.resolve("routes.yaml");

        Result r = init(file, "-o", "tsv");

        assertEquals(ExitCode.USAGE, r.exit(), r.toString());
        assertFalse(Files.exists(file), r.toString());
    }
}
