package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.RemoteReader;
import dev.srouter.index.VectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * diff, sync, push, pull, status, unlock and route --index, run in-process as a user runs them, against
 * one kind of remote index: each backend's test extends this class and says how to name and open its index.
 */
abstract class SyncCommandsContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    protected Path routes;
    private String index;

    /** The {@code --index} value of a fresh, never created index for this test; {@code dir} is the test's own directory. */
    protected abstract String newIndexSpec(Path dir);

    /** Opens the index {@link #newIndexSpec} named, as another process would. */
    protected abstract VectorIndex openIndex();

    /** A runner with the environment the backend needs (server URL, key). */
    protected CliRunner runner() {
        return new CliRunner(cache);
    }

    @BeforeEach
    void setUp() throws Exception {
        routes = dir.resolve("routes.yaml");
        Files.copy(Path.of("routes-example.yaml"), routes);
        index = newIndexSpec(dir);
    }

    /** Whether the tests share one index, each in a namespace of its own (then the index exists before a test writes). */
    protected boolean sharesOneIndexBetweenTests() {
        return false;
    }

    /** Whether anything was written for this test's index (a backend sharing one index between tests may say: records exist). */
    protected boolean indexExists() {
        try (VectorIndex idx = openIndex()) {
            return idx.describe().exists();
        }
    }

    private Result run(String... args) {
        String[] all = new String[args.length + 3];
        System.arraycopy(args, 0, all, 0, 1);
        all[1] = "--routes=" + routes;
        all[2] = "--index";
        all[3] = index;
        System.arraycopy(args, 1, all, 4, args.length - 1);
        return runner().run(all);
    }

    @Test
    void pushThenDiffIsInSyncAndAnEditShowsUp() throws Exception {
        Result before = run("diff");
        assertEquals(2, before.exit(), before.toString());
        assertTrue(before.out().contains("remote: +36 -0") && before.out().contains("(strategy merge)"), before.toString());

        Result before2 = run("status");
        assertEquals(0, before2.exit(), before2.toString());
        if (!sharesOneIndexBetweenTests()) {
            assertTrue(before2.out().contains("does not exist yet") && before2.out().contains("not pushed"), before2.toString());
        }

        Result refused = run("push");
        assertEquals(64, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("--yes"), refused.toString());
        Result fromEnv = runner().env("SROUTER_YES", "1").run("push", "--routes=" + routes, "--index", index);
        assertEquals(64, fromEnv.exit(), "--yes is never taken from the environment: " + fromEnv);
        Result declined = runner().interactive(true).stdin("n\n").run("push", "--routes=" + routes, "--index", index);
        assertEquals(1, declined.exit(), declined.toString());
        assertTrue(declined.err().contains("nothing written; cancelled"), declined.toString());
        Result endOfInput = runner().interactive(true).stdin("").run("push", "--routes=" + routes, "--index", index);
        assertEquals(1, endOfInput.exit(), "Ctrl-D at the prompt declines: " + endOfInput);
        assertFalse(indexExists(), "nothing written, not even the index, without confirmation");

        Result push = run("push", "--yes");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(push.out().contains("36 upserted"), push.toString());

        Result same = run("diff");
        assertEquals(0, same.exit(), same.toString());
        assertTrue(same.out().contains("content hash matches"), same.toString());

        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        Result changed = run("diff", "-o", "json");
        assertEquals(2, changed.exit(), changed.toString());
        JsonNode d = JSON.readTree(changed.out());
        assertEquals(1, d.at("/counts/remote/upsert").asInt());
        assertEquals("greetings", d.at("/routes/0/route").asText());
        assertEquals("howdy partner", d.at("/routes/0/entries/0/utterance").asText());
        assertEquals("add_to_remote", d.at("/routes/0/entries/0/action").asText());

        assertEquals(2, run("sync", "--strategy", "error").exit());
        Result dry = run("sync", "--strategy", "merge", "--dry-run");
        assertEquals(2, dry.exit(), dry.toString());
        assertEquals(2, run("diff").exit(), "a dry run writes nothing");
        assertEquals(0, run("sync", "--strategy", "merge", "--yes").exit());
        assertEquals(0, run("sync", "--strategy", "error").exit());
        Result again = run("sync", "--strategy", "merge", "--yes");
        assertTrue(again.err().contains("nothing to do"), again.toString());
    }

    @Test
    void recordsThatWouldShareAnIdAreRefusedBeforeAnyWriteNamingBoth() throws Exception {
        // uuid5("{route}:{utterance}"): route faq with "shipping:how long does delivery take" and route faq:shipping with
        // "how long does delivery take" are one Qdrant-layout id.
        Files.writeString(routes, "routes:\n  - name: faq\n    utterances:\n      - \"shipping:how long does delivery take\"\n"
                + "      - where is my parcel\n  - name: \"faq:shipping\"\n    utterances:\n      - how long does delivery take\n");
        Result push = run("push", "--yes");
        if (collidingQdrantIdsAreOneRecord()) {
            assertEquals(1, push.exit(), push.toString());
            assertTrue(push.err().contains("route 'faq' utterance 'shipping:how long does delivery take'")
                    && push.err().contains("route 'faq:shipping' utterance 'how long does delivery take'")
                    && push.err().contains("nothing was written"), push.toString());
            assertEquals(1, push.err().strip().lines().count(), "one line: " + push);
            assertFalse(indexExists(), "refused before anything was written, even the index");
        } else {
            assertEquals(0, push.exit(), push.toString());
            assertEquals(0, run("diff").exit(), "all three records are kept apart");
        }
    }

    /** Whether this backend stores records under the Qdrant layout's uuid5("{route}:{utterance}") ids. */
    protected boolean collidingQdrantIdsAreOneRecord() {
        return true;
    }

    @Test
    void aRecordLostBehindSroutersBackIsNotReportedInSyncFromTheManifest() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        try (VectorIndex idx = openIndex()) {
            idx.delete(List.of(new VectorIndex.RecordKey("politics", "isn't politics the best thing ever")));
            idx.awaitWritesVisible();
        }
        awaitCount(35);
        Result diff = run("diff");
        assertEquals(2, diff.exit(), "the hash still matches, the count does not: " + diff);
        Result status = run("status");
        assertTrue(status.out().contains("the manifest records 36 records, the index holds 35"), status.toString());
        assertEquals(0, run("push", "--yes").exit());
        assertEquals(0, run("diff").exit());
    }

    /** Waits (bounded) until the index's count shows {@code n}: an eventually consistent backend's stats may lag. */
    private void awaitCount(long n) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (VectorIndex idx = openIndex()) {
                if (idx.describe().count() == n) {
                    return;
                }
            }
            Thread.sleep(25);
        }
    }

    @Test
    void pullCreatesAMissingRoutesFileAndStatusReportsTheIndex() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Path fresh = dir.resolve("new.yaml");
        Result pull = runner().run("pull", "-r", fresh.toString(), "--index", index, "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        assertTrue(Files.exists(fresh));
        Result diff = runner().run("diff", "-r", fresh.toString(), "--index", index);
        assertEquals(0, diff.exit(), "the pulled file equals the remote: " + diff);

        Result status = run("status", "-o", "json");
        assertEquals(0, status.exit(), status.toString());
        JsonNode s = JSON.readTree(status.out());
        assertEquals(36, s.get("records").asInt());
        assertEquals(384, s.get("dimension").asInt());
        assertEquals("local:all-MiniLM-L6-v2-q", s.get("encoder").asText());
        assertEquals("free", s.get("lock").asText());
        assertEquals("in sync", s.get("sync").asText());
    }

    @Test
    void pushingAnEmptyRoutesFileEmptiesTheRemote() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, "routes: []\n");
        Result unasked = run("push", "--yes");
        assertEquals(64, unasked.exit(), "emptying the remote needs --allow-empty even with --yes: " + unasked);
        assertTrue(unasked.err().contains("deletes every record") && unasked.err().contains("--allow-empty"), unasked.toString());
        assertEquals(2, run("diff").exit(), "nothing was deleted");
        assertEquals(64, runner().env("SROUTER_ALLOW_EMPTY", "1").run("push", "--routes=" + routes, "--index", index, "--yes").exit(),
                "--allow-empty is never taken from the environment");
        Result push = run("push", "--yes", "--allow-empty");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(push.out().contains("36 deleted"), push.toString());
        assertEquals(0, run("diff").exit());
    }

    @Test
    void pullTakesTheIndexsEncoderAndNamesItInTheRoutesFile() throws Exception {
        assertEquals(0, run("push", "--yes", "--encoder", "local:bge-small-en-v1.5").exit());
        Path fresh = dir.resolve("pulled.yaml");
        // No --encoder: the default (MiniLM) is not the index's, and a pull embeds nothing, so it must not matter.
        Result pull = runner().run("pull", "-r", fresh.toString(), "--index", index, "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        assertFalse(pull.err().contains("--reembed"), pull.toString());
        String pulled = Files.readString(fresh);
        assertTrue(pulled.contains("encoder_type: local") && pulled.contains("encoder_name: bge-small-en-v1.5-q"), pulled);
        Result status = run("status", "-o", "json");
        assertEquals("local:bge-small-en-v1.5-q", JSON.readTree(status.out()).get("encoder").asText(), "the index keeps its encoder");
        Result diff = runner().run("diff", "-r", fresh.toString(), "--index", index);
        assertEquals(0, diff.exit(), "the pulled file routes with the index's encoder: " + diff);
    }

    @Test
    void routingAnIndexWithAnotherEncoderIsRefused() throws Exception {
        assertEquals(0, run("push", "--yes", "--encoder", "local:bge-small-en-v1.5").exit());
        Result wrong = run("route", "--encoder", "local", "isn't politics the best thing ever");
        assertEquals(1, wrong.exit(), "not a silent '-': " + wrong);
        assertTrue(wrong.err().contains("holds vectors of local:bge-small-en-v1.5-q") && wrong.err().contains("local:all-MiniLM-L6-v2-q"),
                wrong.toString());
        Result right = run("route", "isn't politics the best thing ever");
        assertEquals(0, right.exit(), right.toString());
        assertTrue(right.out().startsWith("politics "), right.toString());
    }

    @Test
    void anotherEncoderStopsBeforeAnyWrite() {
        assertEquals(0, run("push", "--yes").exit());
        Result r = run("push", "--yes", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("local:all-MiniLM-L6-v2-q") && r.err().contains("local:bge-small-en-v1.5-q"), r.toString());
    }

    @Test
    void reembedRebuildsEveryVectorWithTheNewEncoder() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Result r = run("push", "--yes", "--reembed", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("36 upserted (36 embedded)"), r.toString());
        assertTrue(r.err().contains("--reembed: 36 records will be embedded again with local:bge-small-en-v1.5-q"), "said before applying: " + r);
        Result status = run("status", "-o", "json");
        assertEquals("local:bge-small-en-v1.5-q", JSON.readTree(status.out()).get("encoder").asText(), status.toString());
        assertEquals(0, run("diff", "--encoder", "local:bge-small-en-v1.5").exit());
        Result plain = run("push", "--yes", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(0, plain.exit(), "the new encoder is now the recorded one: " + plain);
    }

    @Test
    void routeAgainstTheIndexNeedsNoRoutesFile() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.delete(routes);
        Result r = run("route", "isn't politics the best thing ever");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("politics "), r.toString());

        // A stream: one decision per line, in input order (the index may answer a batch in parallel).
        StringBuilder in = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            boolean politics = i % 3 == 0;
            in.append(politics ? "isn't politics the best thing ever" : "hello there").append('\n');
            expected.add(politics ? "politics" : "greetings");
        }
        String[] args = {"route", "--routes=" + routes, "--index", index, "-o", "tsv", "-"};
        Result stream = runner().stdin(in.toString()).run(args);
        assertEquals(0, stream.exit(), stream.toString());
        assertEquals(expected, stream.out().lines().map(l -> l.split("\t")[1]).toList(), stream.toString());
    }

    @Test
    void unlockOnAFreeIndexAndCommandsThatNeedARemote() {
        assertEquals(0, run("push", "--yes").exit());
        Result unlock = run("unlock");
        assertEquals(0, unlock.exit(), unlock.toString());
        assertTrue(unlock.out().contains("not locked"), unlock.toString());
        Result noIndex = runner().run("diff", "-r", routes.toString());
        assertEquals(64, noIndex.exit(), noIndex.toString());
        assertTrue(noIndex.err().contains("--index file:"), noIndex.toString());
        Result badStrategy = run("sync", "--strategy", "mrege");
        assertEquals(64, badStrategy.exit(), badStrategy.toString());
    }

    @Test
    void aHeldLeaseMakesASecondSyncWaitThenExit3NamingTheHolder() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        try (VectorIndex idx = openIndex();
                LeaseLock.Held held = new LeaseLock(idx, Clock.systemUTC(), Duration.ofSeconds(60))
                        .acquire("ci-job-41", Duration.ZERO)) {
            Result blocked = run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "300ms");
            assertEquals(3, blocked.exit(), blocked.toString());
            assertTrue(blocked.err().contains("ci-job-41"), blocked.toString());
            Result status = run("status");
            assertTrue(status.out().contains("held by ci-job-41"), status.toString());
            Result refused = run("unlock");
            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("--force"), refused.toString());
            // A live lease is broken in CI only by naming it, as terraform force-unlock LOCK_ID; status prints its id.
            String leaseId = JSON.readTree(run("status", "-o", "json").out()).at("/lock_holder/lease").asText();
            assertFalse(leaseId.isEmpty());
            assertTrue(status.out().contains("(lease " + leaseId + ")"), status.toString());
            Result noId = run("unlock", "--force");
            assertEquals(64, noId.exit(), noId.toString());
            assertTrue(noId.err().contains("--force --lease " + leaseId), noId.toString());
            Result wrongId = run("unlock", "--force", "--lease", "not-the-lease");
            assertEquals(3, wrongId.exit(), wrongId.toString());
            Result declined = runner().interactive(true).stdin("n\n").run("unlock", "--routes=" + routes, "--index", index, "--force");
            assertEquals(1, declined.exit(), declined.toString());
            assertTrue(declined.err().contains("Break the live lease of ci-job-41") && declined.err().contains("cancelled"), declined.toString());
            Result fromEnv = runner().env("SROUTER_FORCE", "1").env("SROUTER_LEASE", leaseId).run("unlock", "--routes=" + routes, "--index", index);
            assertEquals(3, fromEnv.exit(), "--force and --lease are never taken from the environment: " + fromEnv);
            Result forced = run("unlock", "--force", "--lease", leaseId);
            assertEquals(0, forced.exit(), forced.toString());
            assertTrue(forced.out().contains("ci-job-41"), forced.toString());
        }
        assertEquals(0, run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "0").exit());
    }

    @Test
    void aSyncWaitingForTheLockSaysWhoHoldsItAndUntilWhen() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        try (VectorIndex idx = openIndex();
                LeaseLock.Held held = new LeaseLock(idx, Clock.systemUTC(), Duration.ofSeconds(60))
                        .acquire("ci-job-41@build-7", Duration.ZERO)) {
            Result quick = run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "200ms");
            assertEquals(3, quick.exit(), quick.toString());
            assertFalse(quick.err().contains("waiting for the lock"), "a short wait is quiet: " + quick);

            Result waited = run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "1500ms");
            assertEquals(3, waited.exit(), waited.toString());
            String line = waited.err().lines().filter(l -> l.startsWith("waiting for the lock of ")).findFirst().orElse("");
            assertTrue(line.contains(": held by ci-job-41@build-7 (pid " + ProcessHandle.current().pid()), waited.toString());
            java.util.regex.Matcher until = java.util.regex.Pattern.compile(" until (\\S+); --lock-timeout 1500ms$").matcher(line);
            assertTrue(until.find(), waited.toString());
            java.time.Instant.parse(until.group(1)); // the lease's expiry, as an ISO instant
            assertEquals(1, waited.err().lines().filter(l -> l.startsWith("waiting for the lock")).count(), "said once: " + waited);
        }
    }

    @Test
    void pullIntoACommentedFileKeepsTheCommentsOfUnchangedRoutes() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        String original = Files.readString(routes);
        Files.writeString(routes, original.replace("      - howdy partner\n", "").replace("      - thanks, bye!\n", ""));
        Result pull = run("pull", "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        String pulled = Files.readString(routes);
        assertTrue(pulled.contains("# Example routes for srouter"), "the header comment is kept:\n" + pulled);
        assertTrue(pulled.contains("      - thanks, bye!"), pulled);
        assertTrue(Files.exists(dir.resolve("routes.yaml.bak")));
        assertEquals(0, run("diff").exit());
    }

    private static final String REMOTE_ROUTES = """
            routes:
              - name: greet
                utterances: [hi, hello]
              - name: bye
                utterances: [see you]
            """;
    private static final String LOCAL_ROUTES = """
            routes:
              - name: greet
                utterances: [hello, hey there]
              - name: order
                utterances: [where is my order]
            """;

    /** Each strategy's target for REMOTE_ROUTES against LOCAL_ROUTES, as DESIGN.md's table defines it. */
    static Stream<Arguments> strategies() {
        Map<String, Set<String>> local = Map.of("greet", Set.of("hello", "hey there"), "order", Set.of("where is my order"));
        Map<String, Set<String>> remote = Map.of("greet", Set.of("hi", "hello"), "bye", Set.of("see you"));
        return Stream.of(
                Arguments.of("local", local),
                Arguments.of("remote", remote),
                Arguments.of("merge-force-local", Map.of("greet", Set.of("hello", "hey there"), "bye", Set.of("see you"),
                        "order", Set.of("where is my order"))),
                Arguments.of("merge-force-remote", Map.of("greet", Set.of("hi", "hello"), "bye", Set.of("see you"),
                        "order", Set.of("where is my order"))),
                Arguments.of("merge", Map.of("greet", Set.of("hi", "hello", "hey there"), "bye", Set.of("see you"),
                        "order", Set.of("where is my order"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void everyStrategyMakesBothSidesItsTarget(String strategy, Map<String, Set<String>> target) throws Exception {
        Files.writeString(routes, REMOTE_ROUTES);
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, LOCAL_ROUTES);
        assertEquals(2, run("diff").exit());

        Result sync = run("sync", "--strategy", strategy, "--yes");
        assertEquals(0, sync.exit(), sync.toString());
        assertEquals(target, utteranceSets(RoutesFile.read(routes)), "routes file after sync --strategy " + strategy);
        try (VectorIndex idx = openIndex()) {
            assertEquals(target, utteranceSets(RemoteReader.read(idx).routes()), "remote after sync --strategy " + strategy);
        }
        Result diff = run("diff");
        assertEquals(0, diff.exit(), "in sync after " + strategy + ": " + diff);
        Result again = run("sync", "--strategy", strategy, "--yes");
        assertTrue(again.err().contains("nothing to do"), again.toString());
    }

    @Test
    void theErrorStrategyWritesNothingAndExits2() throws Exception {
        Files.writeString(routes, REMOTE_ROUTES);
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, LOCAL_ROUTES);
        Result sync = run("sync", "--strategy", "error", "--yes");
        assertEquals(2, sync.exit(), sync.toString());
        assertEquals(LOCAL_ROUTES, Files.readString(routes));
        try (VectorIndex idx = openIndex()) {
            assertEquals(Map.of("greet", Set.of("hi", "hello"), "bye", Set.of("see you")), utteranceSets(RemoteReader.read(idx).routes()));
        }
    }

    private static Map<String, Set<String>> utteranceSets(RouteSet routes) {
        Map<String, Set<String>> out = new HashMap<>();
        routes.routes().forEach(r -> out.put(r.name(), new HashSet<>(r.utterances())));
        return out;
    }

    /**
     * Stdin for a sync waiting at "Apply this plan?": {@link #asked} opens when the prompt first reads, and the read
     * blocks until {@link #answer} is called, so a test can change the remote between the shown plan and the answer.
     */
    private static final class HeldAnswer extends java.io.InputStream {
        final CountDownLatch asked = new CountDownLatch(1);
        private final CountDownLatch answered = new CountDownLatch(1);
        private final java.io.InputStream yes = new java.io.ByteArrayInputStream("y\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        void answer() {
            answered.countDown();
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            asked.countDown();
            try {
                answered.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            return yes.read(b, off, len);
        }
    }

    /**
     * An interactive {@code sync --strategy local}'s result when, while it asks to apply its plan, another writer
     * pushes {@code otherRoutes}, and it is then answered yes.
     */
    private Result syncWhileAnotherWriterPushes(Path otherRoutes) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            HeldAnswer stdin = new HeldAnswer();
            Future<Result> sync = pool.submit(() -> runner().interactive(true).stdin(stdin)
                    .run("sync", "--routes=" + routes, "--index", index, "--strategy", "local", "--lock-timeout", "10s"));
            assertTrue(stdin.asked.await(60, java.util.concurrent.TimeUnit.SECONDS), "the sync asks to apply its plan");
            Result push = runner().run("push", "--routes=" + otherRoutes, "--index", index, "--yes");
            assertEquals(0, push.exit(), push.toString());
            stdin.answer();
            return sync.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSyncWhosePlanAnotherWriterAppliedWhileItWasShownEndsInSync() throws Exception {
        Path same = dir.resolve("same.yaml");
        Files.copy(routes, same);
        Result r = syncWhileAnotherWriterPushes(same);
        assertEquals(0, r.exit(), "the remote already is what was confirmed: " + r);
        assertTrue(r.err().contains("another writer applied it"), r.toString());
        assertEquals(0, run("diff").exit());
    }

    @Test
    void aSyncWhoseRemoteChangedOtherwiseWhileThePlanWasShownWritesNothing() throws Exception {
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, REMOTE_ROUTES);
        Result r = syncWhileAnotherWriterPushes(other);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("the remote changed while the plan was shown") && r.err().contains("nothing written"), r.toString());
        try (VectorIndex idx = openIndex()) {
            idx.awaitWritesVisible();
            assertEquals(Map.of("greet", Set.of("hi", "hello"), "bye", Set.of("see you")), utteranceSets(RemoteReader.read(idx).routes()),
                    "the other writer's records stand");
        }
    }

    @Test
    void twoSyncsStartedTogetherLeaveOneConsistentRemote() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Result>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(pool.submit(() -> {
                go.await();
                return run("sync", "--strategy", "local", "--yes", "--lock-timeout", "0");
            }));
        }
        go.countDown();
        List<Result> results = new ArrayList<>();
        for (Future<Result> f : runs) {
            results.add(f.get());
        }
        pool.shutdown();
        assertTrue(results.stream().anyMatch(r -> r.exit() == 0), results.toString());
        for (Result r : results) {
            assertTrue(r.exit() == 0 || (r.exit() == 3 && r.err().contains("locked")), "applied, or refused by the lock: " + r);
        }
        try (VectorIndex idx = openIndex()) {
            idx.awaitWritesVisible();
            assertEquals(36, idx.describe().count(), "no record lost or duplicated");
        }
        assertEquals(0, run("diff").exit());
    }
}
