package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import dev.srouter.index.pinecone.FakePineconeServer;
import dev.srouter.index.postgres.PgliteServer;
import dev.srouter.index.qdrant.FakeQdrantServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar and the launcher, run as a user runs them: separate processes, real pipes. */
class JarIT {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path JAR = ROOT.resolve("target/srouter.jar");
    static final String ROUTES = ROOT.resolve("routes-example.yaml").toString();

    @TempDir
    static Path cache;

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    static Run run(Path workDir, String stdin, List<String> command) throws IOException, InterruptedException {
        return run(workDir, stdin, command, Map.of());
    }

    static Run run(Path workDir, String stdin, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("SROUTER_CACHE_DIR", cache.toString());
        pb.environment().remove("SROUTER_ROUTES");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(cache, "out", ".txt");
        Path err = Files.createTempFile(cache, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<String> jar(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void routesArgumentsFromTheShadedJar() throws Exception {
        Run r = run(ROOT, "", jar("route", "-r", ROUTES, "isn't politics the best thing ever", "how's the weather today?"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("politics \\d\\.\\d{4} .*"), r.toString());
        assertTrue(lines.get(1).matches("chitchat \\d\\.\\d{4} .*"), r.toString());
        assertEquals("", r.err(), "nothing on stderr (no SLF4J or ONNX noise): " + r);
    }

    @Test
    void streamsStdinOneDecisionPerLine() throws Exception {
        Run r = run(ROOT, "where is my order? 🚚\nthe mitochondria is the powerhouse of the cell\nhello there\n",
                jar("route", "-r", ROUTES, "-o", "tsv", "-"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("where is my order? 🚚\tcustomer support\t"), r.toString());
        assertEquals("the mitochondria is the powerhouse of the cell\t-\t-", lines.get(1));
        assertTrue(lines.get(2).startsWith("hello there\tgreetings\t"), r.toString());
    }

    @Test
    void aBrokenPipeEndsQuietly() throws Exception {
        StringBuilder script = new StringBuilder("set -o pipefail; for i in $(seq 1 3000); do echo \"hello there $i\"; done | ");
        script.append(String.join(" ", jar("route", "-r", ROUTES, "-")).replace(JAR.toString(), "'" + JAR + "'"));
        script.append(" | head -n 2");
        Run r = run(ROOT, "", List.of("bash", "-c", script.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(2, r.out().lines().count(), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void exitCodesReachTheShell() throws Exception {
        Run noText = run(ROOT, "", jar("route", "-r", ROUTES));
        assertEquals(64, noText.exit(), noText.toString());
        Run missing = run(ROOT, "", jar("route", "-r", "does-not-exist.yaml", "hi"));
        assertEquals(65, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("does-not-exist.yaml"), missing.toString());
    }

    @Test
    void theLauncherWorksFromAnyDirectory(@TempDir Path elsewhere) throws Exception {
        Run r = run(elsewhere, "hello there\n", List.of(ROOT.resolve("srouter").toString(), "route", "-r", ROUTES, "-o", "json", "-"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("\"route\":\"greetings\""), r.toString());
        Run bad = run(elsewhere, "", List.of(ROOT.resolve("srouter").toString(), "route", "--top-k", "0", "-r", ROUTES, "x"));
        assertEquals(64, bad.exit(), "the launcher passes the exit code through: " + bad);
    }

    /**
     * The launcher's first build: a checkout without a jar, where "mvn" is real Maven run on a goal
     * that builds nothing (so it prints what Maven prints: with -B -q, Maven 3.8 still writes ESC[0m
     * resets) followed by a copy of the jar this build made.
     */
    @Test
    void theLaunchersBuildLeavesNoEscapeCodesOnStderr(@TempDir Path checkout) throws Exception {
        Path realMvn = onPath("mvn");
        org.junit.jupiter.api.Assumptions.assumeTrue(realMvn != null, "mvn is not on PATH");
        Files.copy(ROOT.resolve("srouter"), checkout.resolve("srouter"));
        checkout.resolve("srouter").toFile().setExecutable(true);
        Files.copy(ROOT.resolve("pom.xml"), checkout.resolve("pom.xml"));
        Files.createDirectories(checkout.resolve("src/main"));
        Path bin = Files.createDirectories(checkout.resolve("bin"));
        Files.writeString(bin.resolve("mvn"), String.join("\n", "#!/usr/bin/env bash",
                "args=(); for a in \"$@\"; do [ \"$a\" = package ] || args+=(\"$a\"); done",
                "\"$REAL_MVN\" -o \"${args[@]}\" validate || exit $?",
                "mkdir -p target && cp \"$BUILT_JAR\" target/srouter.jar", ""));
        bin.resolve("mvn").toFile().setExecutable(true);

        Run r = run(checkout, "", List.of(checkout.resolve("srouter").toString(), "--version"), Map.of("PATH",
                bin + java.io.File.pathSeparator + System.getenv("PATH"), "REAL_MVN", realMvn.toString(), "BUILT_JAR", JAR.toString(),
                "SROUTER_NO_CDS", "1"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("srouter "), r.toString());
        assertTrue(r.err().startsWith("srouter: building target/srouter.jar"), "the build ran: " + r);
        assertFalse(r.err().contains("\u001b"), "no terminal escape codes on stderr: " + r.toString().replace("\u001b", "<ESC>"));
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program);
            }
        }
        return null;
    }

    @Test
    void diffAndSyncExitCodesReachTheShellAsInCi(@TempDir Path work) throws Exception {
        Path routes = work.resolve("routes.yaml");
        Files.copy(Path.of(ROUTES), routes);
        String index = "file:" + work.resolve("idx");
        Run drift = run(work, "", jar("diff", "-r", routes.toString(), "--index", index));
        assertEquals(2, drift.exit(), drift.toString());
        Run noTty = run(work, "", jar("sync", "-r", routes.toString(), "--index", index, "--strategy", "merge"));
        assertEquals(64, noTty.exit(), "a plan that writes needs --yes without a terminal: " + noTty);
        Run sync = run(work, "", jar("sync", "-r", routes.toString(), "--index", index, "--strategy", "merge", "--yes"));
        assertEquals(0, sync.exit(), sync.toString());
        Run clean = run(work, "", jar("diff", "-r", routes.toString(), "--index", index));
        assertEquals(0, clean.exit(), clean.toString());
        Run status = run(work, "", jar("status", "-r", routes.toString(), "--index", index));
        assertTrue(status.out().contains("in sync"), status.toString());
    }

    /** A CI step: {@code srouter lint -o json > lint.json} fails the job (exit 2) on findings, and passes on a clean file. */
    @Test
    void lintFailsACiJobOnFindingsAndPassesOtherwise(@TempDir Path work) throws Exception {
        Path routes = Files.writeString(work.resolve("routes.yaml"), LintCommandTest.FINDINGS);
        String lint = String.join(" ", jar("lint", "-r", "routes.yaml", "-o", "json")).replace(JAR.toString(), "'" + JAR + "'");
        Run failed = run(work, "", List.of("bash", "-c", lint + " > lint.json"));
        assertEquals(2, failed.exit(), failed.toString());
        assertEquals("", failed.err(), "nothing on stderr: " + failed);
        List<String> lines = Files.readAllLines(work.resolve("lint.json"));
        assertEquals(1, lines.size(), "one JSON document: " + lines);
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertTrue(doc.get("failed").asBoolean(), doc.toString());
        assertEquals(1, doc.at("/counts/duplicate").asInt(), doc.toString());

        Run reportOnly = run(work, "", jar("lint", "-r", routes.toString(), "--fail-on", "none"));
        assertEquals(0, reportOnly.exit(), reportOnly.toString());
        assertTrue(reportOnly.out().contains("duplicate: 1 pair"), reportOnly.toString());

        Files.writeString(routes, LintCommandTest.CLEAN);
        Run clean = run(work, "", jar("lint", "-r", routes.toString()));
        assertEquals(0, clean.exit(), clean.toString());
        assertTrue(clean.out().contains("no findings in 2 routes, 10 utterances"), clean.toString());
    }

    @Test
    void evalGatesRoutingQualityAsInCi(@TempDir Path work) throws Exception {
        // Three queries copied from their routes (similarity 1.0), one labelled wrong on purpose, one that no route matches.
        Path data = work.resolve("labelled.tsv");
        Files.writeString(data, String.join("\n", "isn't politics the best thing ever\tpolitics", "hello there\tgreetings",
                "where is my order? 🚚\tcustomer support", "how's the weather today?\tgreetings",
                "the mitochondria is the powerhouse of the cell\t-", ""));
        Run pass = run(work, "", jar("eval", "-r", ROUTES, "--data", data.toString(), "--min-accuracy", "0.75", "--min-oos-recall", "1"));
        assertEquals(0, pass.exit(), pass.toString());
        assertTrue(pass.out().contains("in-scope accuracy") && pass.out().contains("0.7500"), pass.toString());
        assertEquals("", pass.err(), pass.toString());

        String gate = String.join(" ", jar("eval", "-r", ROUTES, "--data", data.toString(), "--min-accuracy", "0.9", "-o", "json",
                "--misses", work.resolve("misses.tsv").toString())).replace(JAR.toString(), "'" + JAR + "'");
        Run fail = run(work, "", List.of("bash", "-c", "set -o pipefail; " + gate + " | cat"));
        assertEquals(2, fail.exit(), "exit 2 fails the CI step: " + fail);
        assertEquals("srouter: in-scope accuracy 0.7500 is below --min-accuracy 0.9000\n", fail.err().replaceFirst("(?s)^wrote 1 miss to \\S+\n", ""),
                fail.toString());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fail.out());
        assertEquals(0.75, doc.get("accuracy").asDouble(), 1e-9, fail.toString());
        assertEquals(false, doc.get("passed").asBoolean(), fail.toString());
        assertEquals(List.of("how's the weather today?\tgreetings\tchitchat\t1.0000"), Files.readAllLines(work.resolve("misses.tsv")));
    }

    @Test
    void jsonThroughAPipeIsOnlyJsonAndErrorsAreJsonOnStderr(@TempDir Path work) throws Exception {
        Path routes = work.resolve("routes.yaml");
        Files.copy(Path.of(ROUTES), routes);
        String index = "file:" + work.resolve("idx");
        String push = String.join(" ", jar("push", "-r", routes.toString(), "--index", index, "-o", "json", "--yes"))
                .replace(JAR.toString(), "'" + JAR + "'");
        Run r = run(work, "", List.of("bash", "-c", "set -o pipefail; " + push + " | cat"));
        assertEquals(0, r.exit(), r.toString());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(1, r.out().lines().count(), "one document, nothing else on stdout: " + r);
        assertEquals("applied", doc.at("/result/status").asText(), r.toString());
        assertEquals(36, doc.at("/result/remote/upserted").asInt(), r.toString());
        assertEquals(36, doc.at("/counts/remote/upsert").asInt(), r.toString());

        Run noIndex = run(work, "", jar("diff", "-r", routes.toString(), "-o", "json"));
        assertEquals(64, noIndex.exit(), noIndex.toString());
        assertEquals("", noIndex.out(), noIndex.toString());
        com.fasterxml.jackson.databind.JsonNode e = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(noIndex.err().lines().reduce((a, b) -> b).orElseThrow()).get("error");
        assertEquals(64, e.get("code").asInt(), noIndex.toString());
        assertEquals("usage", e.get("kind").asText(), noIndex.toString());
    }

    @Test
    void aCiJobAgainstQdrant(@TempDir Path work) throws Exception {
        Path routes = work.resolve("routes.yaml");
        Files.copy(Path.of(ROUTES), routes);
        try (FakeQdrantServer qdrant = FakeQdrantServer.start().apiKey("ci-secret-91")) {
            Map<String, String> env = Map.of("QDRANT_URL", qdrant.url(), "QDRANT_API_KEY", "ci-secret-91");
            Run drift = run(work, "", jar("diff", "-r", routes.toString(), "--index", "qdrant"), env);
            assertEquals(2, drift.exit(), drift.toString());
            assertEquals("", drift.err(), "nothing on stderr but errors: " + drift);
            Run sync = run(work, "", jar("sync", "-r", routes.toString(), "--index", "qdrant", "--strategy", "merge", "--yes"), env);
            assertEquals(0, sync.exit(), sync.toString());
            Run clean = run(work, "", jar("diff", "-r", routes.toString(), "--index", "qdrant"), env);
            assertEquals(0, clean.exit(), clean.toString());
            Run route = run(work, "", jar("route", "--index", "qdrant", "isn't politics the best thing ever"), env);
            assertTrue(route.out().startsWith("politics "), route.toString());

            Run badKey = run(work, "", jar("diff", "-r", routes.toString(), "--index", "qdrant"),
                    Map.of("QDRANT_URL", qdrant.url(), "QDRANT_API_KEY", "wrong-one-77"));
            assertEquals(4, badKey.exit(), badKey.toString());
            assertEquals("srouter: Qdrant rejected the API key at " + qdrant.url() + " (QDRANT_API_KEY)\n", badKey.err());
        }
    }

    @Test
    void aCiJobAgainstPinecone(@TempDir Path work) throws Exception {
        Path routes = work.resolve("routes.yaml");
        Files.copy(Path.of(ROUTES), routes);
        try (FakePineconeServer pinecone = FakePineconeServer.start().apiKey("ci-secret-92").visibilityDelay(2)) {
            Map<String, String> env = Map.of("PINECONE_HOST", pinecone.controlUrl(), "PINECONE_API_KEY", "ci-secret-92",
                    "SROUTER_PINECONE_SETTLE", "50ms");
            Run sync = run(work, "", jar("sync", "-r", routes.toString(), "--index", "pinecone", "--strategy", "merge", "--yes"), env);
            assertEquals(0, sync.exit(), sync.toString());
            Run clean = run(work, "", jar("diff", "-r", routes.toString(), "--index", "pinecone"), env);
            assertEquals(0, clean.exit(), clean.toString());
            assertEquals("", clean.err(), "nothing on stderr but errors: " + clean);
            Run route = run(work, "", jar("route", "--index", "pinecone", "isn't politics the best thing ever"), env);
            assertTrue(route.out().startsWith("politics "), route.toString());
            Run badKey = run(work, "", jar("status", "-r", routes.toString(), "--index", "pinecone"),
                    Map.of("PINECONE_HOST", pinecone.controlUrl(), "PINECONE_API_KEY", "wrong-one-78"));
            assertEquals(4, badKey.exit(), badKey.toString());
            assertTrue(badKey.err().startsWith("srouter: Pinecone rejected the API key"), badKey.toString());
            assertEquals(1, badKey.err().lines().count(), badKey.toString());
        }
    }

    @Test
    void aCiJobAgainstPostgres(@TempDir Path work) throws Exception {
        Path routes = work.resolve("routes.yaml");
        Files.copy(Path.of(ROUTES), routes);
        try (PgliteServer postgres = PgliteServer.start()) {
            // The JDBC driver is found through the shaded jar's merged service files; the password never shows.
            String url = postgres.postgresUrl().replace("postgres@", "postgres:ci-secret-93@");
            Map<String, String> env = Map.of("POSTGRES_URL", url, "SROUTER_INDEX_NAME", "ci_routes");
            Run drift = run(work, "", jar("diff", "-r", routes.toString(), "--index", "postgres"), env);
            assertEquals(2, drift.exit(), drift.toString());
            assertEquals("", drift.err(), "nothing on stderr but errors: " + drift);
            Run sync = run(work, "", jar("sync", "-r", routes.toString(), "--index", "postgres", "--strategy", "merge", "--yes", "-v"), env);
            assertEquals(0, sync.exit(), sync.toString());
            Run clean = run(work, "", jar("diff", "-r", routes.toString(), "--index", "postgres"), env);
            assertEquals(0, clean.exit(), clean.toString());
            Run route = run(work, "", jar("route", "--index", "postgres", "isn't politics the best thing ever"), env);
            assertTrue(route.out().startsWith("politics "), route.toString());
            Run filtered = run(work, "", jar("route", "--index", "postgres", "--filter", "chitchat", "-o", "json",
                    "isn't politics the best thing ever"), env);
            assertEquals(0, filtered.exit(), filtered.toString());
            assertFalse(filtered.out().contains("\"politics\""), "only chitchat's utterances are candidates: " + filtered);
            for (Run r : List.of(drift, sync, clean, route, filtered)) {
                assertFalse(r.out().contains("ci-secret-93") || r.err().contains("ci-secret-93"), "password printed: " + r);
            }
        }
    }
}
