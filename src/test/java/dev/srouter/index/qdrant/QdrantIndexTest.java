package dev.srouter.index.qdrant;

import static dev.srouter.index.RemoteIndexTesting.printed;
import static dev.srouter.index.RemoteIndexTesting.sync;
import static dev.srouter.index.RemoteIndexTesting.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Diff;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.CountingEncoder;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.RemoteReader;
import dev.srouter.index.RemoteIndexTesting;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import dev.srouter.index.VectorIndex;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Qdrant adapter adds to the index contract: semantic-router's layout byte for byte, collection
 * parameters, batching of reads, the conditional-upsert lock under a race, retries and error messages.
 */
class QdrantIndexTest {
    private static final AtomicInteger COLLECTIONS = new AtomicInteger();
    private FakeQdrantServer server;
    private final List<QdrantIndex> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        server = FakeQdrantServer.start();
    }

    @AfterEach
    void stop() {
        opened.forEach(QdrantIndex::close);
        server.close();
    }

    private QdrantIndex open(String collection, String namespace) {
        return open(server.url(), null, collection, namespace, QdrantIndexContractTest.FAST_RETRIES);
    }

    private QdrantIndex open(String url, String key, String collection, String namespace, RetryPolicy settings) {
        QdrantIndex index = QdrantIndex.connect(QdrantEndpoint.parse(url), key, collection, namespace, Clock.systemUTC(), settings);
        opened.add(index);
        return index;
    }

    private static String fresh() {
        return "t-" + COLLECTIONS.incrementAndGet();
    }

    // ---- layout ----

    @Test
    void pointIdsAndPayloadsAreSemanticRoutersLayout() {
        QdrantIndex index = open("semantic-router-index", null);
        index.create(4);
        index.upsert(List.of(
                new VectorRecord("politics", "isn't politics the best thing ever", unit(4, 1), Map.of(), List.of()),
                new VectorRecord("chitchat", "how's the weather today?", unit(4, 2), Map.of("mood", "light"), List.of()),
                new VectorRecord("customer support", "where is my order? 🚚", unit(4, 3), Map.of(), List.of())));
        assertEquals(Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "metadata", Map.of()),
                server.payloadOf("semantic-router-index", "6583a1f8-7b8b-5502-b61e-6e740fa05c17"),
                "exactly the keys semantic-router writes and reads");
        assertEquals(Map.of("sr_route", "chitchat", "sr_utterance", "how's the weather today?", "metadata", Map.of("mood", "light")),
                server.payloadOf("semantic-router-index", "21f35afb-8cfe-5263-9a64-0abd2c34d345"));
        assertEquals("customer support",
                server.payloadOf("semantic-router-index", "b4a37f69-7d75-5d06-8202-7387b3bb39cf").get("sr_route"));

        index.writeConfig("sr_hash", "abc");
        index.writeConfig("sr_lock", "False");
        Map<String, Object> hash = server.payloadOf(QdrantIndex.CONFIG_COLLECTION, "3ab75a8d-c2ce-565e-af83-90c3682d01c5");
        assertEquals("sr_hash", hash.get("field"));
        assertEquals("semantic-router-index", hash.get("scope"));
        assertEquals("abc", hash.get("value"));
        assertTrue(hash.get("created_at").toString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00"), hash.toString());
        assertEquals("False", server.payloadOf(QdrantIndex.CONFIG_COLLECTION, "52c69c0a-0881-57b5-8d2e-01c64fcfb32e").get("value"));
        assertEquals(1, server.vectorOf(QdrantIndex.CONFIG_COLLECTION, "3ab75a8d-c2ce-565e-af83-90c3682d01c5").length,
                "config points have one-dimensional vectors");
    }

    @Test
    void aNamespaceIsPartOfTheIdAndThePayload() {
        QdrantIndex index = open("semantic-router-index", "acme");
        index.create(4);
        index.upsert(List.of(new VectorRecord("politics", "isn't politics the best thing ever", unit(4, 1), Map.of(), List.of())));
        Map<String, Object> payload = server.payloadOf("semantic-router-index", "b2e40fa8-bb6d-533c-b1ae-fa80477ac7d0");
        assertEquals("acme", payload.get("namespace"));
        assertTrue(server.fieldIndexes("semantic-router-index").containsAll(List.of("sr_route", "namespace")));
        QdrantIndex plain = open("semantic-router-index", null);
        assertEquals(0, plain.describe().count(), "points of a namespace are not those of no namespace");
        assertEquals(1, index.describe().count());
    }

    @Test
    void twoCollectionsWithOneNamespaceShareSemanticRoutersEntriesButNotOurs() {
        QdrantIndex prod = open("prod", "acme");
        QdrantIndex staging = open("staging", "acme");
        prod.create(4);
        staging.create(4);
        prod.writeConfig("sr_hash", "h1");
        prod.writeConfig("srouter_manifest", "{\"of\":\"prod\"}");
        assertEquals("h1", staging.readConfig("sr_hash").orElseThrow().value(), "semantic-router's id: sr_hash#acme");
        assertEquals(java.util.Optional.empty(), staging.readConfig("srouter_manifest"));
        assertEquals("prod/acme", server.payloadOf(QdrantIndex.CONFIG_COLLECTION,
                dev.srouter.index.RecordIds.qdrantConfigId("srouter_manifest", "prod/acme")).get("scope"));
    }

    @Test
    void functionSchemasAreKeptInAPayloadKeyOfOurOwn() {
        QdrantIndex index = open(fresh(), null);
        index.create(4);
        List<Map<String, Object>> schemas = List.of(Map.of("name", "get_time", "parameters", Map.of("type", "object")));
        index.upsert(List.of(new VectorRecord("time", "what time is it", unit(4, 1), Map.of(), schemas)));
        assertEquals(List.of(new StoredRecord("time", "what time is it", Map.of(), schemas)), index.read(null, 10).records());
    }

    // ---- collection ----

    @Test
    void createMakesACosineCollectionWithAKeywordIndexOnTheRoute() {
        String name = fresh();
        QdrantIndex index = open(name, null);
        index.create(384);
        assertTrue(server.collections().containsAll(List.of(name, QdrantIndex.CONFIG_COLLECTION)));
        assertEquals(new VectorIndex.IndexInfo(true, 0, 384, "cosine"), index.describe());
        // namespace too, even without one: the scope of every read is a filter on it (is_empty), and a
        // strict-mode collection refuses filters on keys without an index.
        assertEquals(List.of("sr_route", "namespace"), server.fieldIndexes(name));
        assertEquals("Keyword", server.fieldIndexSchemas(name).get("sr_route").name());
        assertEquals("Keyword", server.fieldIndexSchemas(name).get("namespace").name());
    }

    @Test
    void aCollectionWithAnotherDistanceIsRefusedNamingBoth() {
        String name = fresh();
        server.createCollection(name, 4, "Dot");
        QdrantIndex index = open(name, null);
        server.resetCounts();
        SrouterException e = assertThrows(SrouterException.class, () -> index.create(4));
        assertTrue(e.getMessage().contains("dot") && e.getMessage().contains("cosine"), e.getMessage());
        assertEquals(0, server.calls("Points/Upsert") + server.calls("Points/CreateFieldIndex") + server.calls("Collections/Create"),
                "nothing written: " + server.callCounts());
    }

    // ---- reads ----

    @Test
    void theWholeIndexIsReadInPagesOfAThousandPoints() {
        QdrantIndex index = open(fresh(), null);
        index.create(8);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            records.add(new VectorRecord("r" + (i % 7), "utterance " + i, unit(8, i), Map.of(), List.of()));
        }
        index.upsert(records);
        server.resetCounts();
        RemoteReader.RemoteState state = RemoteReader.read(index);
        assertEquals(2500, state.records());
        assertEquals(3, server.calls("Points/Scroll"), server.callCounts().toString());
        assertEquals(4, server.totalCalls(), "3 pages and the manifest: " + server.callCounts());
    }

    @Test
    void aCollectionWrittenBySemanticRouterIsReadAndSyncedInPlace() {
        String name = "semantic-router-index";
        server.createCollection(name, 4, "Cosine");
        // As semantic-router 0.1 writes: deterministic ids, payload sr_route, sr_utterance, metadata; no config entries.
        server.putPoint(name, "6583a1f8-7b8b-5502-b61e-6e740fa05c17", unit(4, 1),
                Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "metadata", Map.of()));
        server.putPoint(name, "21f35afb-8cfe-5263-9a64-0abd2c34d345", unit(4, 2),
                Map.of("sr_route", "chitchat", "sr_utterance", "how's the weather today?", "metadata", Map.of()));
        // As semantic-router before 0.1 wrote: an id the client made up, no metadata.
        String randomId = "0f5c3a9e-1111-4222-8333-944455556666";
        server.putPoint(name, randomId, unit(4, 3), Map.of("sr_route", "chitchat", "sr_utterance", "lovely weather today"));

        QdrantIndex index = open(name, null);
        RouteSet remote = RemoteReader.read(index).routes();
        assertEquals(List.of("chitchat", "politics"), remote.routeNames());
        assertEquals(List.of("how's the weather today?", "lovely weather today"), remote.route("chitchat").orElseThrow().utterances());

        // Local drops the old-style record and adds one: merge keeps both sides, local makes the remote equal to the file.
        RouteSet local = RouteSet.of(List.of(
                new Route("politics", List.of("isn't politics the best thing ever"), null, null, Map.of(), List.of()),
                new Route("chitchat", List.of("how's the weather today?", "how are things going?"), null, null, Map.of(), List.of())));
        CountingEncoder encoder = new CountingEncoder("m", 4);
        sync(index, encoder, local, SyncStrategy.LOCAL, 500, false);
        assertEquals(1, encoder.texts.get(), "only the new utterance is embedded");
        assertNull(server.payloadOf(name, randomId), "the old-style point is deleted through the id seen on read");
        assertTrue(Diff.between(local, RemoteReader.read(open(name, null)).routes()).isEmpty());
        Map<String, Object> written = server.payloadOf(name, dev.srouter.index.RecordIds.qdrantPointId(null, "chitchat", "how are things going?"));
        assertEquals(Set.of("sr_route", "sr_utterance", "metadata"), written.keySet(), "what we write reads back in semantic-router");
    }

    // ---- the lock ----

    @Test
    void compareAndSetHasOneWinnerWhenEightClientsRace() throws Exception {
        String name = fresh();
        open(name, null).create(4);
        for (String expected : new String[] {null, "winner-of-round-1"}) {
            List<QdrantIndex> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(open(name, null));
            }
            List<Boolean> results = race(clients, (index, i) -> index.compareAndSetConfig("srouter_lease", expected, "client-" + i));
            assertEquals(1, results.stream().filter(b -> b).count(), "exactly one writer wins: " + results);
            String value = open(name, null).readConfig("srouter_lease").orElseThrow().value();
            assertEquals("client-" + results.indexOf(true), value);
            open(name, null).writeConfig("srouter_lease", "winner-of-round-1");
        }
    }

    @Test
    void leaseLocksRacingThroughSeparateClientsHaveOneHolder() throws Exception {
        String name = fresh();
        open(name, null).create(4);
        List<QdrantIndex> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(open(name, null));
        }
        List<Boolean> acquired = race(clients, (index, i) -> {
            try {
                new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60)).acquire("sync-" + i, Duration.ZERO);
                return true;
            } catch (SrouterException e) {
                assertEquals(ExitCode.LOCKED, e.exitCode(), e.getMessage());
                return false;
            }
        });
        assertEquals(1, acquired.stream().filter(b -> b).count(), acquired.toString());
    }

    interface Attempt {
        boolean run(QdrantIndex index, int i) throws Exception;
    }

    /** Runs {@code attempt} on every client at once (each connected first); their results in client order. */
    static List<Boolean> race(List<QdrantIndex> clients, Attempt attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                int n = i;
                clients.get(i).describe(); // connected before the start line
                clients.get(i).serverVersion(); // and the version read, so that only the writes race
                futures.add(pool.submit((Callable<Boolean>) () -> {
                    go.await();
                    return attempt.run(clients.get(n), n);
                }));
            }
            go.countDown();
            List<Boolean> out = new ArrayList<>();
            for (Future<Boolean> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- retries and errors ----

    @Test
    void unavailableAndOverloadedAreRetried() {
        QdrantIndex index = open(fresh(), null);
        index.create(4);
        server.resetCounts();
        server.failCalls(2, Status.Code.UNAVAILABLE);
        assertTrue(index.describe().exists());
        assertEquals(3, server.calls("Collections/Get"), server.callCounts().toString());
        server.failCalls(2, Status.Code.RESOURCE_EXHAUSTED);
        index.upsert(List.of(new VectorRecord("r", "u", unit(4, 1), Map.of(), List.of())));
        assertEquals(3, server.calls("Points/Upsert"), server.callCounts().toString());
        assertEquals(1, index.describe().count());
    }

    @Test
    void retriesEndInExit4SayingHowOften() {
        QdrantIndex index = open(fresh(), null);
        server.failCalls(10, Status.Code.UNAVAILABLE);
        SrouterException e = assertThrows(SrouterException.class, index::describe);
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("cannot reach Qdrant at " + server.url()) && e.getMessage().contains("tried 4 times"),
                e.getMessage());
    }

    @Test
    void aCallThatHangsHitsItsDeadlineAndIsRetried() {
        RetryPolicy shortDeadline = new RetryPolicy(Duration.ofMillis(300), 3, Duration.ofMillis(1), Duration.ofMillis(5));
        QdrantIndex index = open(server.url(), null, fresh(), null, shortDeadline);
        index.create(4);
        server.resetCounts();
        server.hangCall(1);
        assertTrue(index.describe().exists(), "the second attempt answers");
        assertEquals(2, server.calls("Collections/Get"));

        server.failCalls(5, Status.Code.DEADLINE_EXCEEDED);
        SrouterException e = assertThrows(SrouterException.class, index::describe);
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("did not answer within") && e.getMessage().contains("tried 3 times"), e.getMessage());
    }

    @Test
    void aWriteWhoseAnswerIsLostIsRetriedWithoutDuplicates() {
        String name = fresh();
        QdrantIndex index = open(name, null);
        index.create(4);
        List<VectorRecord> records = List.of(new VectorRecord("r", "a", unit(4, 1), Map.of(), List.of()),
                new VectorRecord("r", "b", unit(4, 2), Map.of(), List.of()));
        server.dropConnectionOnCall("Points/Upsert", 1);
        index.upsert(records);
        assertEquals(2, server.pointCount(name));
        assertEquals(2, index.describe().count());
    }

    @Test
    void otherRefusalsAreNotRetriedAndShowTheServersReason() {
        QdrantIndex index = open(fresh(), null);
        index.create(4);
        server.resetCounts();
        server.failCall(1, Status.Code.INVALID_ARGUMENT);
        SrouterException e = assertThrows(SrouterException.class,
                () -> index.upsert(List.of(new VectorRecord("r", "u", unit(4, 1), Map.of(), List.of()))));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().startsWith("Qdrant at " + server.url() + " refused to write 1 points"), e.getMessage());
        assertEquals(1, server.calls("Points/Upsert"));
    }

    @Test
    void aWrongOrMissingApiKeyExits4AndNeverShowsTheKey() {
        server.apiKey("right-key-123");
        String name = fresh();
        SrouterException wrong = assertThrows(SrouterException.class,
                () -> open(server.url(), "wrong-key-456", name, null, QdrantIndexContractTest.FAST_RETRIES).describe());
        assertEquals(ExitCode.UNREACHABLE, wrong.exitCode());
        assertEquals("Qdrant rejected the API key at " + server.url() + " (QDRANT_API_KEY)", wrong.getMessage());
        assertFalse(printed(wrong).contains("wrong-key-456") || printed(wrong).contains("right-key-123"));

        SrouterException missing = assertThrows(SrouterException.class,
                () -> open(server.url(), null, name, null, QdrantIndexContractTest.FAST_RETRIES).describe());
        assertEquals("Qdrant at " + server.url() + " needs an API key: set QDRANT_API_KEY", missing.getMessage());

        assertFalse(open(server.url(), "right-key-123", name, null, QdrantIndexContractTest.FAST_RETRIES).describe().exists());
    }

    @Test
    void anUnreachableServerNamesTheUrlAndHintsAtTheRestPort() {
        int port = RemoteIndexTesting.unusedPort();
        SrouterException e = assertThrows(SrouterException.class,
                () -> open("http://127.0.0.1:" + port, null, fresh(), null, QdrantIndexContractTest.FAST_RETRIES).describe());
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot reach Qdrant at http://127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void anInterruptedSyncConvergesWhenRunAgain() {
        String name = fresh();
        QdrantIndex index = open(name, null);
        CountingEncoder encoder = new CountingEncoder("m", 4);
        List<Route> routes = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            List<String> u = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                u.add("route " + r + " utterance " + i);
            }
            routes.add(new Route("r" + r, u, null, null, Map.of("team", "t" + r), List.of()));
        }
        RouteSet local = RouteSet.of(routes);
        index.create(4);
        server.failCall("Points/Upsert", 3, Status.Code.INTERNAL); // two batches land, the third fails
        assertThrows(SrouterException.class, () -> sync(index, encoder, local, SyncStrategy.LOCAL, 7, true));
        assertFalse(Diff.between(local, RemoteReader.read(index).routes()).isEmpty(), "stopped part way");
        new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(30)).breakLock(true);
        sync(index, encoder, local, SyncStrategy.LOCAL, 7, true);
        assertTrue(Diff.between(local, RemoteReader.read(index).routes()).isEmpty());
        assertEquals(48, server.pointCount(name), "nothing lost or duplicated");
    }

    @Test
    void deletesAndPayloadRewritesUseOneCallPerBatch() {
        String name = fresh();
        QdrantIndex index = open(name, null);
        index.create(4);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            records.add(new VectorRecord("r", "u" + i, unit(4, i), Map.of(), List.of()));
        }
        index.upsert(records);
        server.resetCounts();
        index.updatePayload(records.subList(0, 200).stream().map(r -> new StoredRecord("r", r.utterance(), Map.of("v", 2), List.of()))
                .toList());
        assertEquals(Map.of("Points/Get", 1, "Points/UpdateBatch", 1), server.callCounts());
        server.resetCounts();
        index.delete(records.subList(0, 150).stream().map(VectorRecord::key).toList());
        assertEquals(Map.of("Points/Delete", 1), server.callCounts());
        assertEquals(150, server.pointCount(name));
        assertEquals(Map.of("v", 2), index.read(null, 1000).records().stream().filter(r -> r.utterance().equals("u199")).findFirst()
                .orElseThrow().metadata());
        index.delete(List.of(new RecordKey("r", "absent")));
    }

}
