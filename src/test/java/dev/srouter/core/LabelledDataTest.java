package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.LabelledData.Example;
import dev.srouter.core.LabelledData.Format;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labelled queries in JSONL and TSV: what reads, and every refusal with its FILE:LINE. */
class LabelledDataTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    /** The message of the exit-65 error reading {@code content} as {@code name} gives. */
    private String error(String name, String content, Format format) throws IOException {
        Path p = file(name, content);
        SrouterException e = assertThrows(SrouterException.class, () -> LabelledData.read(p, format));
        assertEquals(ExitCode.INVALID_ROUTES, e.exitCode(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void jsonlLinesWithARouteOrNullAndBlankLinesSkipped() throws IOException {
        Path p = file("q.jsonl", "{\"text\": \"where is my order?\", \"route\": \"customer support\"}\n\n   \n"
                + "{\"route\": null, \"text\": \"what is the capital of Peru?\", \"id\": 7}\r\n"
                + "{\"text\": \"tab\\there \\\"quoted\\\" 🚚\", \"route\": \"billing\"}\n");
        List<Example> read = LabelledData.read(p, Format.jsonl);
        assertEquals(List.of(new Example("where is my order?", "customer support", p + ":1"),
                new Example("what is the capital of Peru?", null, p + ":4"),
                new Example("tab\there \"quoted\" 🚚", "billing", p + ":5")), read);
    }

    @Test
    void tsvLinesWithADashForNoneAndExtraColumnsIgnored() throws IOException {
        // The shape of `srouter route -o tsv`: TEXT, ROUTE, SCORE.
        Path p = file("q.tsv", "\uFEFFwhere is my order?\tcustomer support\t0.7123\n"
                + "\n"
                + "what is the capital of Peru?\t-\t-\n"
                + "hello there\tgreetings \r\n"
                + "two columns only\tbilling\n");
        List<Example> read = LabelledData.read(p, Format.tsv);
        assertEquals(List.of(new Example("where is my order?", "customer support", p + ":1"),
                new Example("what is the capital of Peru?", null, p + ":3"),
                new Example("hello there", "greetings", p + ":4"),
                new Example("two columns only", "billing", p + ":5")), read);
    }

    @Test
    void formatFromTheExtension() {
        assertEquals(Optional.of(Format.jsonl), Format.fromExtension(Path.of("a/b.jsonl")));
        assertEquals(Optional.of(Format.jsonl), Format.fromExtension(Path.of("b.NDJSON")));
        assertEquals(Optional.of(Format.tsv), Format.fromExtension(Path.of("b.tsv")));
        assertEquals(Optional.empty(), Format.fromExtension(Path.of("b.json")));
        assertEquals(Optional.empty(), Format.fromExtension(Path.of("b.txt")));
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        String m = error("bad.jsonl", "{\"text\": \"ok\", \"route\": \"a\"}\n{\"text\": \"oops\", \"route\": \n", Format.jsonl);
        assertTrue(m.startsWith(dir.resolve("bad.jsonl") + ":2: not valid JSON"), m);
        String trailing = error("trail.jsonl", "{\"text\": \"a\", \"route\": null} {\"text\": \"b\"}\n", Format.jsonl);
        assertTrue(trailing.startsWith(dir.resolve("trail.jsonl") + ":1: not valid JSON"), trailing);
        String array = error("arr.jsonl", "\n[\"text\", \"route\"]\n", Format.jsonl);
        assertEquals(dir.resolve("arr.jsonl") + ":2: expected a JSON object {\"text\": ..., \"route\": ...}, found an array", array);
    }

    @Test
    void missingOrWrongMembersNameFileAndLine() throws IOException {
        Path p = dir.resolve("m.jsonl");
        assertEquals(p + ":1: missing \"text\"", error("m.jsonl", "{\"route\": \"a\"}\n", Format.jsonl));
        assertEquals(p + ":1: \"text\" must be a string, found a number", error("m.jsonl", "{\"text\": 3, \"route\": \"a\"}\n", Format.jsonl));
        assertEquals(p + ":1: \"text\" is blank", error("m.jsonl", "{\"text\": \"  \", \"route\": \"a\"}\n", Format.jsonl));
        assertTrue(error("m.jsonl", "{\"text\": \"hi\"}\n", Format.jsonl).startsWith(p + ":1: missing \"route\""));
        assertTrue(error("m.jsonl", "{\"text\": \"hi\", \"route\": \"\"}\n", Format.jsonl).startsWith(p + ":1: \"route\" is blank"));
        assertEquals(p + ":1: \"route\" must be a route name or null, found an array",
                error("m.jsonl", "{\"text\": \"hi\", \"route\": [\"a\"]}\n", Format.jsonl));
    }

    @Test
    void badTsvLinesNameFileAndLine() throws IOException {
        Path p = dir.resolve("t.tsv");
        assertEquals(p + ":2: expected TEXT<TAB>ROUTE, found no tab", error("t.tsv", "hi\ta\nno tab here\n", Format.tsv));
        assertEquals(p + ":1: the text (first column) is blank", error("t.tsv", " \ta\n", Format.tsv));
        assertTrue(error("t.tsv", "hi\t\t0.5\n", Format.tsv).startsWith(p + ":1: the route (second column) is empty"));
    }

    @Test
    void emptyMissingAndNonUtf8FilesAreErrors() throws IOException {
        Path e = dir.resolve("empty.tsv");
        assertTrue(error("empty.tsv", "\n  \n", Format.tsv).startsWith(e + ": no labelled queries"));
        SrouterException missing = assertThrows(SrouterException.class, () -> LabelledData.read(dir.resolve("nope.jsonl"), Format.jsonl));
        assertEquals(65, missing.exitCode());
        assertEquals(dir.resolve("nope.jsonl") + ": no such file", missing.getMessage());
        Path latin1 = dir.resolve("latin1.tsv");
        Files.write(latin1, "ok\ta\ncaf\u00e9\ta\n".getBytes(StandardCharsets.ISO_8859_1));
        SrouterException bytes = assertThrows(SrouterException.class, () -> LabelledData.read(latin1, Format.tsv));
        assertEquals(latin1 + ":2: not UTF-8 text", bytes.getMessage());
    }

    @Test
    void aLabelNamingAnUnknownRouteSuggestsTheClosestOrListsAFew() throws IOException {
        Path p = file("q.tsv", "hi\tgreetings\nmy bill\tbiling\nsomething\tweather\nelse\tweather\n");
        List<Example> read = LabelledData.read(p, Format.tsv);
        List<String> known = List.of("politics", "chitchat", "customer support", "technical help", "billing", "greetings");
        SrouterException e = assertThrows(SrouterException.class, () -> LabelledData.checkRoutes(read, known, "routes.yaml"));
        assertEquals(65, e.exitCode());
        assertEquals(p + ":2: route 'biling' is not in routes.yaml; did you mean 'billing'? (2 more labels name unknown routes)",
                e.getMessage());

        SrouterException far = assertThrows(SrouterException.class,
                () -> LabelledData.checkRoutes(read.subList(2, 3), known, "routes.yaml"));
        assertEquals(p + ":3: route 'weather' is not in routes.yaml (routes: politics, chitchat, customer support, technical help, "
                + "billing, ... 1 more)", far.getMessage());

        LabelledData.checkRoutes(read.subList(0, 1), known, "routes.yaml"); // a known label passes
    }

    @Test
    void aDashInJsonlIsARouteNameWithAHintForNull() throws IOException {
        Path p = file("q.jsonl", "{\"text\": \"hi\", \"route\": \"-\"}\n");
        List<Example> read = LabelledData.read(p, Format.jsonl);
        SrouterException e = assertThrows(SrouterException.class, () -> LabelledData.checkRoutes(read, List.of("a"), "routes.yaml"));
        assertTrue(e.getMessage().startsWith(p + ":1: route '-' is not in routes.yaml; for a query no route should match use null"),
                e.getMessage());
    }
}
