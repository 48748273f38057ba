package dev.srouter.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesFileTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, yaml, UTF_8);
        return f;
    }

    /** Reads {@code yaml} from a file, expects exactly this problem at this position, and exit code 65. */
    private RoutesFileException rejects(String yaml, int line, int column, String fragment) throws IOException {
        Path f = file(yaml);
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(f));
        assertEquals(f, e.file());
        assertEquals(line, e.line(), () -> "line of: " + e.getMessage());
        assertEquals(column, e.column(), () -> "column of: " + e.getMessage());
        assertTrue(e.problem().contains(fragment), () -> "expected '" + fragment + "' in: " + e.problem());
        assertEquals(ExitCode.INVALID_ROUTES, e.exitCode());
        assertEquals(65, e.exitCode());
        return e;
    }

    private static String route(String body) {
        return "routes:\n  - name: politics\n" + body;
    }

    // ------------------------------------------------------------------------------------------- valid files

    @Test
    void parsesAFileWithAllFields() throws IOException {
        Path f = file("""
                encoder_type: local
                encoder_name: all-MiniLM-L6-v2-q
                routes:
                  - name: politics
                    description: talk about politics
                    score_threshold: 0.45
                    metadata: {team: safety, level: 3, ratio: 0.5, on: true, none: null, tags: [a, b], nested: {x: 1}}
                    function_schemas:
                      - name: get_time
                        parameters: {timezone: str}
                    utterances:
                      - isn't politics the best thing ever
                      - yes
                      - 42
                      - "  padded  "
                      - where is my order? 🚚
                  - name: chitchat
                    utterances: [hello]
                """);
        RouteSet set = RoutesFile.read(f);
        assertEquals("local", set.encoderType());
        assertEquals("all-MiniLM-L6-v2-q", set.encoderName());
        assertEquals(List.of("politics", "chitchat"), set.routeNames());
        Route p = set.routes().get(0);
        assertEquals("talk about politics", p.description());
        assertEquals(0.45, p.scoreThreshold());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("team", "safety");
        meta.put("level", 3L);
        meta.put("ratio", 0.5);
        meta.put("on", true);
        meta.put("none", null);
        meta.put("tags", List.of("a", "b"));
        meta.put("nested", Map.of("x", 1L));
        assertEquals(meta, p.metadata());
        assertEquals(new ArrayList<>(meta.keySet()), new ArrayList<>(p.metadata().keySet()), "metadata keeps key order");
        assertEquals(List.of(Map.of("name", "get_time", "parameters", Map.of("timezone", "str"))), p.functionSchemas());
        assertEquals(List.of("isn't politics the best thing ever", "yes", "42", "  padded  ", "where is my order? 🚚"),
                p.utterances());
        Route c = set.routes().get(1);
        assertEquals(List.of("hello"), c.utterances());
        assertNull(c.description());
        assertNull(c.scoreThreshold());
        assertEquals(Map.of(), c.metadata());
        assertEquals(List.of(), c.functionSchemas());
    }

    @Test
    void emptyRouteListIsValid() throws IOException {
        RouteSet set = RoutesFile.read(file("routes: []\n"));
        assertEquals(List.of(), set.routes());
        assertNull(set.encoderType());
        assertNull(set.encoderName());
    }

    @Test
    void parsesSemanticRouterOutput() throws IOException {
        // What semantic-router's RouterConfig.to_yaml() writes: every key present, unset ones null or empty.
        RouteSet set = RoutesFile.read(file("""
                encoder_name: sentence-transformers/all-MiniLM-L6-v2
                encoder_type: huggingface
                routes:
                - description: null
                  function_schemas: null
                  llm: null
                  metadata: {}
                  name: politics
                  score_threshold: null
                  utterances:
                  - isn't politics the best thing ever
                  - why don't you tell me about your political opinions
                """));
        assertEquals("huggingface", set.encoderType());
        assertEquals(List.of(new Route("politics", List.of("isn't politics the best thing ever",
                "why don't you tell me about your political opinions"), null, null, Map.of(), List.of())), set.routes());
    }

    @Test
    void anchorsAndMergeKeysAreFollowed() throws IOException {
        RouteSet set = RoutesFile.read(file("""
                routes:
                  - name: a
                    metadata: &base {team: support, tier: 1}
                    utterances: &common [hi, hello]
                  - name: b
                    metadata: {<<: *base, tier: 2}
                    utterances: *common
                """));
        assertEquals(List.of("hi", "hello"), set.routes().get(1).utterances());
        assertEquals(Map.of("team", "support", "tier", 2L), set.routes().get(1).metadata());
    }

    // ------------------------------------------------------------------------------------------- files

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.yaml");
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(f));
        assertEquals(0, e.line());
        assertEquals(65, e.exitCode());
        assertEquals(f + ": no such file; srouter init (with the same -r) writes a starter one, or pass -r/--routes to read another", e.getMessage());
    }

    @Test
    void directoryInsteadOfFile() {
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(dir));
        assertEquals(0, e.line());
        assertEquals(65, e.exitCode());
        assertEquals(dir + ": is a directory, not a routes file; pass the YAML file itself with -r/--routes", e.getMessage());
    }

    @Test
    void unreadableFile() throws IOException {
        Path f = file("routes: []\n");
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("no POSIX permissions here");
        }
        Assumptions.assumeFalse(Files.isReadable(f), "running as a user who can read anything (root)");
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(f));
        assertEquals(0, e.line());
        assertEquals(65, e.exitCode());
        assertEquals("cannot read the file: permission denied", e.problem());
    }

    @Test
    void notUtf8() throws IOException {
        Path f = dir.resolve("routes.yaml");
        byte[] latin1 = "routes:\n  - name: caf\u00e9\n    utterances: [x]\n".getBytes(ISO_8859_1);
        Files.write(f, latin1);
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(f));
        assertEquals(2, e.line());
        assertEquals(14, e.column());
        assertEquals("not valid UTF-8 (byte 0xE9); save the file as UTF-8", e.problem());
        assertEquals(65, e.exitCode());
    }

    @Test
    void utf8ByteOrderMarkIsAccepted() throws IOException {
        RouteSet set = RoutesFile.read(file("\uFEFFroutes:\n  - name: a\n    utterances: [x]\n"));
        assertEquals(List.of("a"), set.routeNames());
    }

    // ------------------------------------------------------------------------------------------- YAML and layout

    @Test
    void notYaml() throws IOException {
        RoutesFileException e = rejects("routes:\n  - name: a: b\n", 2, 12,
                "not valid YAML: mapping values are not allowed here");
        assertEquals("not valid YAML: mapping values are not allowed here", e.problem());
    }

    @Test
    void unclosedQuoteSaysWhereItStarted() throws IOException {
        rejects(route("    utterances:\n      - \"unclosed\n"), 5, 1,
                "found unexpected end of stream (while scanning a quoted scalar started at line 4)");
    }

    @Test
    void controlCharacter() throws IOException {
        // the column counts characters, so the emoji before it is one column
        rejects(route("    utterances: [🚚\u0001b]\n"), 3, 19, "not valid YAML: control character U+0001 is not allowed");
    }

    @Test
    void tabIndentation() throws IOException {
        rejects(route("    utterances:\n\t- hi\n"), 4, 1, "not valid YAML: a tab character; indent with spaces");
    }

    @Test
    void tooManyAliases() throws IOException {
        StringBuilder yaml = new StringBuilder("routes: []\nx: &a [1]\ny: [");
        for (int i = 0; i < RoutesFile.MAX_ALIASES + 1; i++) {
            yaml.append("*a, ");
        }
        Path f = file(yaml.append("]\n").toString());
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.read(f));
        assertEquals(0, e.line());
        assertEquals(65, e.exitCode());
        assertEquals("not valid YAML: more than 50 aliases (*name) to lists or maps", e.problem());
    }

    @Test
    void aliasExpansionIsBounded() throws IOException {
        // 17 levels of two aliases each: 2^17 = 131072 values once expanded, a small "billion laughs"
        StringBuilder yaml = new StringBuilder(route("    utterances: [a]\n    metadata:\n      l0: &l0 [x, x]\n"));
        for (int i = 1; i < 17; i++) {
            yaml.append("      l%d: &l%d [*l%d, *l%d]\n".formatted(i, i, i - 1, i - 1));
        }
        RoutesFileException e = rejects(yaml.toString(), 5, 16,
                "'metadata' in route 'politics' expands to more than 100000 values");
        assertTrue(e.problem().endsWith("check the aliases (*name)"), e.problem());
    }

    @Test
    void twoDocuments() throws IOException {
        rejects("routes: []\n---\nroutes: []\n", 2, 1, "more than one document (a second '---')");
    }

    @Test
    void emptyFile() throws IOException {
        rejects("", 1, 1, "the file is empty; expected a map with a 'routes' list");
    }

    @Test
    void onlyComments() throws IOException {
        rejects("# nothing here yet\n", 1, 1, "the file is empty");
    }

    @Test
    void topLevelNotAMapping() throws IOException {
        rejects("- name: politics\n  utterances: [a]\n", 1, 1,
                "expected a map with a 'routes' list at the top level, found a list");
    }

    @Test
    void topLevelScalar() throws IOException {
        rejects("just some text\n", 1, 1, "found a string ('just some text')");
    }

    // ------------------------------------------------------------------------------------------- keys

    @Test
    void unknownTopLevelKeyWithSuggestion() throws IOException {
        RoutesFileException e = rejects("encoder_type: local\nroute:\n  - name: a\n", 2, 1,
                "unknown key 'route' at the top level; did you mean 'routes'?");
        assertEquals(e.file() + ":2:1: unknown key 'route' at the top level; did you mean 'routes'?", e.getMessage());
    }

    @Test
    void unknownRouteKeyWithSuggestion() throws IOException {
        RoutesFileException e = rejects(route("    utterance:\n      - hi\n"), 3, 5, "");
        assertEquals("unknown key 'utterance' in route 'politics'; did you mean 'utterances'?", e.problem());
    }

    @Test
    void unknownRouteKeySuggestsByPrefix() throws IOException {
        rejects(route("    desc: hi\n    utterances: [a]\n"), 3, 5,
                "unknown key 'desc' in route 'politics'; did you mean 'description'?");
    }

    @Test
    void unknownRouteKeyIgnoresCaseAndSeparators() throws IOException {
        rejects(route("    scoreThreshold: 0.5\n    utterances: [a]\n"), 3, 5, "did you mean 'score_threshold'?");
    }

    @Test
    void unknownKeyWithoutCloseMatchListsValidKeys() throws IOException {
        rejects(route("    utterances: [a]\n    colour: red\n"), 4, 5,
                "unknown key 'colour' in route 'politics'; valid keys: name, "
                + "description, score_threshold, metadata, function_schemas, utterances");
    }

    @Test
    void unknownKeyInUnnamedRouteUsesItsNumber() throws IOException {
        rejects("routes:\n  - name: a\n    utterances: [x]\n  - foo: 1\n", 4, 5, "unknown key 'foo' in route #2; valid keys:");
    }

    @Test
    void duplicateKeyAtTopLevel() throws IOException {
        rejects("routes: []\nencoder_type: local\nroutes: []\n", 3, 1,
                "duplicate key 'routes' at the top level (first at line 1)");
    }

    @Test
    void duplicateKeyInRoute() throws IOException {
        rejects(route("    utterances: [a]\n    name: other\n"), 4, 5,
                "duplicate key 'name' in route 'politics' (first at line 2)");
    }

    @Test
    void duplicateKeyInMetadata() throws IOException {
        rejects(route("    metadata:\n      team: a\n      team: b\n    utterances: [x]\n"), 5, 7,
                "duplicate key 'team' in 'metadata' in route 'politics' (first at line 4)");
    }

    // ------------------------------------------------------------------------------------------- required parts

    @Test
    void missingRoutes() throws IOException {
        rejects("encoder_type: local\nencoder_name: x\n", 1, 1,
                "missing 'routes': expected a list of routes (write 'routes: []' for none)");
    }

    @Test
    void routesWithoutValue() throws IOException {
        rejects("routes:\n", 1, 8, "'routes': expected a list of routes, found nothing; write 'routes: []' for none");
    }

    @Test
    void routesNotAList() throws IOException {
        rejects("routes:\n  politics: [a]\n", 2, 3, "'routes': expected a list of routes, found a map");
    }

    @Test
    void routeNotAMap() throws IOException {
        rejects("routes:\n  - politics\n", 2, 5,
                "route #1: expected a map with 'name' and 'utterances', found a string ('politics')");
    }

    @Test
    void missingName() throws IOException {
        rejects("routes:\n  - name: a\n    utterances: [x]\n  - description: no name\n    utterances: [y]\n", 4, 5,
                "route #2 has no 'name'");
    }

    @Test
    void missingUtterances() throws IOException {
        rejects(route("    description: d\n"), 2, 5,
                "route 'politics' has no 'utterances'; add a list with at least one example");
    }

    @Test
    void emptyUtterancesList() throws IOException {
        rejects(route("    utterances: []\n"), 3, 17, "'utterances' in route 'politics' is empty; add at least one example");
    }

    @Test
    void duplicateRouteName() throws IOException {
        String yaml = "routes:\n  - name: politics\n    utterances: [a]\n  - name: politics\n    utterances: [b]\n";
        RoutesFileException e = rejects(yaml, 4, 11, "");
        assertEquals("duplicate route name 'politics' (first defined at line 2)", e.problem());
    }

    // ------------------------------------------------------------------------------------------- utterances

    /** Reads {@code yaml} as a file and returns its routes' utterances and the warnings, as semantic-router-style input. */
    private List<String> forgiven(String yaml, List<String> utterances) throws IOException {
        java.nio.file.Path f = file(yaml);
        List<String> warnings = new java.util.ArrayList<>();
        RouteSet set = RoutesFile.read(f, warnings::add);
        assertEquals(utterances, set.routes().get(0).utterances());
        return warnings.stream().map(w -> w.substring(f.toString().length() + 1)).toList();
    }

    @Test
    void anEmptyUtteranceIsSkippedWithAWarningNamingItsLine() throws IOException {
        assertEquals(List.of("5:9: empty utterance #2 in route 'politics' skipped"),
                forgiven(route("    utterances:\n      - hi\n      - \"\"\n"), List.of("hi")));
    }

    @Test
    void aNullUtteranceIsSkippedLikeAnEmptyOne() throws IOException {
        assertEquals(List.of("4:8: empty utterance #1 in route 'politics' skipped"),
                forgiven(route("    utterances:\n      -\n      - hi\n"), List.of("hi")));
    }

    @Test
    void aWhitespaceOnlyUtteranceIsSkipped() throws IOException {
        assertEquals(List.of("5:9: blank utterance #2 in route 'politics' skipped"),
                forgiven(route("    utterances:\n      - hi\n      - \"   \"\n"), List.of("hi")));
    }

    @Test
    void aRepeatedUtteranceIsKeptOnceWithAWarning() throws IOException {
        assertEquals(List.of("6:9: repeated utterance 'hi there' in route 'politics' (first at line 4) kept once"),
                forgiven(route("    utterances:\n      - hi there\n      - bye\n      - hi there\n"), List.of("hi there", "bye")));
    }

    @Test
    void aRouteWithOnlyBlankUtterancesIsStillInvalid() throws IOException {
        rejects(route("    utterances:\n      - \"\"\n      - \" \"\n"), 4, 7,
                "'utterances' in route 'politics' has no utterance that is not blank");
    }

    @Test
    void utterancesDifferingOnlyInSpacesAreNotDuplicates() throws IOException {
        RouteSet set = RoutesFile.read(file(route("    utterances:\n      - hi\n      - \"hi \"\n")));
        assertEquals(List.of("hi", "hi "), set.routes().get(0).utterances());
    }

    @Test
    void utterancesNotAList() throws IOException {
        rejects(route("    utterances: hello\n"), 3, 17,
                "'utterances' in route 'politics': expected a list of strings, found a string ('hello')");
    }

    @Test
    void utteranceIsAMap() throws IOException {
        // "- where: is my order" is a classic slip: the colon makes it a map
        rejects(route("    utterances:\n      - hi\n      - where: is my order\n"), 5, 9,
                "utterance #2 in route 'politics': expected a string, found a map");
    }

    @Test
    void utteranceIsAList() throws IOException {
        rejects(route("    utterances:\n      - [a, b]\n"), 4, 9,
                "utterance #1 in route 'politics': expected a string, found a list");
    }

    // ------------------------------------------------------------------------------------------- types

    @Test
    void nameIsANumber() throws IOException {
        rejects("routes:\n  - name: 123\n    utterances: [a]\n", 2, 11,
                "'name' in route #1: expected a string, found a number ('123'); quote it to use it as text: \"123\"");
    }

    @Test
    void nameIsABoolean() throws IOException {
        rejects("routes:\n  - name: yes\n    utterances: [a]\n", 2, 11,
                "'name' in route #1: expected a string, found a boolean ('yes')");
    }

    @Test
    void nameIsEmpty() throws IOException {
        rejects("routes:\n  - name: \"  \"\n    utterances: [a]\n", 2, 11, "'name' in route #1 is empty");
    }

    @Test
    void nameWithoutValue() throws IOException {
        rejects("routes:\n  - name:\n    utterances: [a]\n", 2, 10, "'name' in route #1: expected a string, found nothing");
    }

    @Test
    void encoderTypeNotAString() throws IOException {
        rejects("encoder_type: [local]\nroutes: []\n", 1, 15, "'encoder_type': expected a string, found a list");
    }

    @Test
    void scoreThresholdAboveOne() throws IOException {
        rejects(route("    score_threshold: 1.5\n    utterances: [a]\n"), 3, 22,
                "'score_threshold' in route 'politics' must be between 0 and 1, found 1.5");
    }

    @Test
    void scoreThresholdNegative() throws IOException {
        rejects(route("    score_threshold: -0.1\n    utterances: [a]\n"), 3, 22, "must be between 0 and 1, found -0.1");
    }

    @Test
    void scoreThresholdNotANumber() throws IOException {
        rejects(route("    score_threshold: high\n    utterances: [a]\n"), 3, 22,
                "'score_threshold' in route 'politics': expected a number between 0 and 1, found a string ('high')");
    }

    @Test
    void scoreThresholdBooleanIsNotANumber() throws IOException {
        rejects(route("    score_threshold: true\n    utterances: [a]\n"), 3, 22,
                "expected a number between 0 and 1, found a boolean ('true')");
    }

    @Test
    void scoreThresholdQuotedNumberIsAString() throws IOException {
        rejects(route("    score_threshold: \"0.5\"\n    utterances: [a]\n"), 3, 22, "found a string ('0.5')");
    }

    @Test
    void scoreThresholdIntegerBoundsAreAccepted() throws IOException {
        RouteSet set = RoutesFile.read(file("routes:\n  - name: a\n    score_threshold: 1\n    utterances: [x]\n"
                + "  - name: b\n    score_threshold: 0\n    utterances: [x]\n"));
        assertEquals(Map.of("a", 1.0, "b", 0.0), set.thresholds());
    }

    @Test
    void metadataNotAMap() throws IOException {
        rejects(route("    metadata: [a, b]\n    utterances: [x]\n"), 3, 15,
                "'metadata' in route 'politics': expected a map, found a list");
    }

    @Test
    void metadataRecursiveAliasIsRejected() throws IOException {
        rejects(route("    metadata: &m {self: *m}\n    utterances: [x]\n"), 3, 15, "contains itself through an alias");
    }

    @Test
    void metadataWithUnsupportedTag() throws IOException {
        rejects(route("    metadata: {blob: !!binary aGVsbG8=}\n    utterances: [x]\n"), 3, 22,
                "'metadata' in route 'politics': unsupported YAML tag !!binary");
    }

    @Test
    void functionSchemasNotAList() throws IOException {
        rejects(route("    function_schemas: {name: f}\n    utterances: [x]\n"), 3, 23,
                "'function_schemas' in route 'politics': expected a list of maps, found a map");
    }

    @Test
    void functionSchemaNotAMap() throws IOException {
        rejects(route("    function_schemas: [get_time]\n    utterances: [x]\n"), 3, 24,
                "function schema #1 in route 'politics': expected a map, found a string ('get_time')");
    }

    @Test
    void descriptionNotAString() throws IOException {
        rejects(route("    description: [a, b]\n    utterances: [x]\n"), 3, 18,
                "'description' in route 'politics': expected a string, found a list");
    }

    @Test
    void llmIsRejectedUnlessNull() throws IOException {
        rejects(route("    llm: {name: gpt-4o}\n    utterances: [x]\n"), 3, 10,
                "llm is not supported by srouter (route 'politics'); remove 'llm' or set it to null");
    }

    // ------------------------------------------------------------------------------------------- writing

    private static RouteSet tricky() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("team", "safety");
        meta.put("level", 3L);
        meta.put("ratio", 0.25);
        meta.put("flag", false);
        meta.put("none", null);
        meta.put("looks like a number", "123");
        meta.put("nested", new LinkedHashMap<>(Map.of("list", List.of("a", 1L))));
        return new RouteSet("local", "all-MiniLM-L6-v2-q", List.of(
                new Route("politics", List.of(
                        "isn't politics the best thing ever",
                        "where is my order? 🚚",
                        "she said \"no\" and 'yes'",
                        "key: value, with a colon",
                        "- starts like a list item",
                        "# starts like a comment",
                        "ends with a comment # here",
                        "yes",
                        "123",
                        "  leading and trailing spaces  ",
                        "line one\nline two",
                        "x".repeat(300)),
                        "talk about politics: the good and the bad", 0.45, meta,
                        List.of(Map.of("name", "get_time", "description", "current time"))),
                Route.of("chitchat", List.of("hello"))));
    }

    @Test
    void roundTrip() {
        RouteSet original = tricky();
        String yaml = RoutesFile.toYaml(original);
        assertEquals(original, RoutesFile.parse(yaml, Path.of("mem.yaml")));
        assertTrue(yaml.contains("- where is my order? 🚚\n"), "emoji stay literal and plain:\n" + yaml);
        assertTrue(yaml.contains("x".repeat(300) + "\n"), "long utterances stay on one line");
    }

    @Test
    void toYamlUsesTheDocumentedLayout() {
        RouteSet set = new RouteSet("local", null, List.of(
                new Route("politics", List.of("isn't politics the best thing ever", "yes"), "talk about politics", 0.45,
                        Map.of("team", "safety"), List.of()),
                Route.of("chitchat", List.of("hello"))));
        assertEquals("""
                encoder_type: local
                routes:
                  - name: politics
                    description: talk about politics
                    score_threshold: 0.45
                    metadata:
                      team: safety
                    utterances:
                      - isn't politics the best thing ever
                      - 'yes'
                  - name: chitchat
                    utterances:
                      - hello
                """, RoutesFile.toYaml(set));
        assertEquals("routes: []\n", RoutesFile.toYaml(RouteSet.of(List.of())));
    }

    @Test
    void writeKeepsABackupAndLeavesNoTemporaryFiles() throws IOException {
        Path f = file("# my routes\nroutes: []\n");
        RouteSet set = tricky();
        RoutesFile.write(f, set);
        assertEquals(set, RoutesFile.read(f));
        assertEquals("# my routes\nroutes: []\n", Files.readString(dir.resolve("routes.yaml.bak")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("routes.yaml", "routes.yaml.bak"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }

        RoutesFile.write(f, RouteSet.of(List.of()));
        assertEquals("routes: []\n", Files.readString(f));
        assertEquals(set, RoutesFile.read(dir.resolve("routes.yaml.bak")), "the backup is the previous version");
    }

    @Test
    void writeCreatesANewFileWithoutBackup() throws IOException {
        Path f = dir.resolve("new.yaml");
        RoutesFile.write(f, RouteSet.of(List.of(Route.of("a", List.of("x")))));
        assertEquals("routes:\n  - name: a\n    utterances:\n      - x\n", Files.readString(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("new.yaml"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void writeRefusesInvalidRoutesAndLeavesTheFileAlone() throws IOException {
        Path f = file("routes: []\n");
        byte[] before = Files.readAllBytes(f);
        RouteSet bad = RouteSet.of(List.of(Route.of("a", List.of("x")), Route.of("a", List.of("y"))));
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFile.write(f, bad));
        assertEquals(65, e.exitCode());
        assertEquals("not written, the routes are invalid: duplicate route name 'a' (first defined at line 2)", e.problem());
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("routes.yaml"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void suggestionsUseEditDistanceOrPrefix() {
        assertEquals("utterances", RoutesFile.closest("utterance", RoutesFile.ROUTE_KEYS));
        assertEquals("utterances", RoutesFile.closest("uttreances", RoutesFile.ROUTE_KEYS));
        assertEquals("metadata", RoutesFile.closest("meta", RoutesFile.ROUTE_KEYS));
        assertEquals("function_schemas", RoutesFile.closest("functions", RoutesFile.ROUTE_KEYS));
        assertEquals("name", RoutesFile.closest("nmae", RoutesFile.ROUTE_KEYS));
        assertNull(RoutesFile.closest("colour", RoutesFile.ROUTE_KEYS));
        assertNull(RoutesFile.closest("x", RoutesFile.ROUTE_KEYS));
        assertEquals(1, EditDistance.between("ab", "ba"));
        assertEquals(3, EditDistance.between("kitten", "sitting"));
    }
}
