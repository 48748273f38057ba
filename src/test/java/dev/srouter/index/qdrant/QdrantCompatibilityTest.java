package dev.srouter.index.qdrant;

import static dev.srouter.index.RemoteIndexTesting.printed;
import static dev.srouter.index.RemoteIndexTesting.sync;
import static dev.srouter.index.RemoteIndexTesting.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.srouter.index.VectorIndex.VectorRecord;
import io.qdrant.client.grpc.Collections.StrictModeConfig;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.ReadConsistencyType;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.WriteOrderingType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Qdrant as the real servers differ from one another (docs/qdrant.md, "Compatibility"): Qdrant Cloud's
 * strict mode, servers older than 1.17, replicated collections, read-only keys and TLS. Each test drives
 * the stand-in in the mode the real server has and fails on an adapter that ignores it.
 */
class QdrantCompatibilityTest {
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
        return open(server.url(), null, collection, namespace);
    }

    private QdrantIndex open(String url, String key, String collection, String namespace) {
        QdrantIndex index = QdrantIndex.connect(QdrantEndpoint.parse(url), key, collection, namespace, Clock.systemUTC(),
                QdrantIndexContractTest.FAST_RETRIES);
        opened.add(index);
        return index;
    }

    private static String fresh() {
        return "compat-" + COLLECTIONS.incrementAndGet();
    }

    /** A collection as semantic-router 0.1 leaves it: points, no payload index, strict mode as Qdrant Cloud sets it. */
    private String semanticRouterCollectionInStrictMode() {
        String name = fresh();
        server.createCollection(name, 4, "Cosine");
        server.strictMode(name, FakeQdrantServer.CLOUD_STRICT_MODE);
        server.putPoint(name, "6583a1f8-7b8b-5502-b61e-6e740fa05c17", unit(4, 1),
                Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "metadata", Map.of()));
        server.putPoint(name, "21f35afb-8cfe-5263-9a64-0abd2c34d345", unit(4, 2),
                Map.of("sr_route", "chitchat", "sr_utterance", "how's the weather today?", "metadata", Map.of()));
        // Another namespace's point in the same collection: never part of the index without a namespace.
        server.putPoint(name, "b2e40fa8-bb6d-533c-b1ae-fa80477ac7d0", unit(4, 3),
                Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "metadata", Map.of(),
                        "namespace", "acme"));
        return name;
    }

    // ---- 1. strict mode ----

    @Test
    void aStrictModeCollectionWithoutIndexesIsDescribedAndReadWithoutFilteringOnUnindexedKeys() {
        String name = semanticRouterCollectionInStrictMode();
        QdrantIndex index = open(name, null);
        assertEquals(2, index.describe().count(), "the other namespace's point is not counted");
        RouteSet remote = RemoteReader.read(index).routes();
        assertEquals(List.of("chitchat", "politics"), remote.routeNames());
        assertEquals(2, remote.routes().stream().mapToInt(r -> r.utterances().size()).sum());
        QdrantIndex acme = open(name, "acme");
        assertEquals(1, acme.describe().count());
        assertEquals(List.of("politics"), RemoteReader.read(acme).routes().routeNames());
        assertTrue(server.fieldIndexes(name).isEmpty(), "reading creates nothing");
    }

    @Test
    void aQueryOnAStrictModeCollectionWithoutTheIndexStopsNamingItAndHowToCreateIt() {
        String name = semanticRouterCollectionInStrictMode();
        QdrantIndex index = open(name, null);
        server.resetCounts();
        SrouterException e = assertThrows(SrouterException.class, () -> index.query(unit(4, 1), 3, Set.of()));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("strict mode") && e.getMessage().contains("no payload index on 'namespace'")
                && e.getMessage().contains("PUT /collections/" + name + "/index"), e.getMessage());
        assertEquals(0, server.calls("Points/Query"), "refused before the server is asked");
        assertThrows(SrouterException.class, () -> index.queryBatch(List.of(unit(4, 1), unit(4, 2)), 3, Set.of()));
    }

    @Test
    void aSyncThatWritesAStrictModeCollectionCreatesTheIndexesItsReadsNeed() {
        String name = semanticRouterCollectionInStrictMode();
        QdrantIndex index = open(name, null);
        RouteSet local = RouteSet.of(List.of(
                new Route("politics", List.of("isn't politics the best thing ever"), null, null, Map.of(), List.of()),
                new Route("chitchat", List.of("how's the weather today?", "how are things going?"), null, null, Map.of(), List.of())));
        sync(index, new CountingEncoder("m", 4), local, SyncStrategy.LOCAL, 500, false);
        assertTrue(server.fieldIndexes(name).containsAll(List.of("sr_route", "namespace")), server.fieldIndexes(name).toString());
        QdrantIndex again = open(name, null);
        assertTrue(Diff.between(local, RemoteReader.read(again).routes()).isEmpty());
        assertEquals(3, again.describe().count());
        server.resetCounts();
        assertEquals("politics", again.query(unit(4, 1), 1, Set.of("politics")).get(0).route(), "filters work once indexed");
        assertEquals(1, server.calls("Points/Query"));
    }

    @Test
    void aStrictModeServerRefusesWhatTheAdapterWouldOtherwiseSend() {
        // The stand-in's side of the test above: with no index, the filters srouter sends without strict-mode
        // awareness are refused with the server's text.
        String name = semanticRouterCollectionInStrictMode();
        io.qdrant.client.QdrantClient raw = new io.qdrant.client.QdrantClient(io.qdrant.client.QdrantGrpcClient
                .newBuilder("127.0.0.1", server.port(), false).build());
        try {
            var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> raw.countAsync(name,
                    io.qdrant.client.grpc.Common.Filter.newBuilder().addMust(io.qdrant.client.ConditionFactory.isEmpty("namespace")).build(),
                    true).get());
            String message = failure.getCause().getMessage();
            assertTrue(message.startsWith("INVALID_ARGUMENT: Bad request: Index required but not found for \"namespace\""), message);
            assertTrue(message.endsWith("Help: Create an index for this key or use a different filter."), message);
        } finally {
            raw.close();
        }
    }

    @Test
    void strictModeLimitsOnPagesAndUpsertBatchesAreKept() {
        String name = fresh();
        server.strictMode(StrictModeConfig.newBuilder().setEnabled(true).setMaxQueryLimit(7).setUpsertMaxBatchsize(5)
                .setSearchAllowExact(false).build());
        QdrantIndex index = open(name, null);
        index.create(4);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            records.add(new VectorRecord("r", "u" + i, unit(4, i), Map.of(), List.of()));
        }
        server.resetCounts();
        index.upsert(records);
        assertEquals(5, server.calls("Points/Upsert"), "batches of at most upsert_max_batchsize");
        assertEquals(23, server.pointCount(name));
        assertEquals(23, open(name, null).describe().count(), "counted without an exact Count, which the collection refuses");
        server.resetCounts();
        assertEquals(23, RemoteReader.read(open(name, null)).routes().route("r").orElseThrow().utterances().size());
        assertTrue(server.calls("Points/Scroll") >= 4, "pages of at most max_query_limit: " + server.callCounts());
    }

    // ---- 2. server versions ----

    @Test
    void theLockIsRefusedOnAServerThatIgnoresConditionalWrites() {
        String name = fresh();
        open(name, null).create(4);
        server.serverVersion("1.15.3");
        QdrantIndex index = open(name, null);
        SrouterException e = assertThrows(SrouterException.class,
                () -> new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(30)).acquire("t", Duration.ZERO));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("version 1.15.3") && e.getMessage().contains("1.15.4 or newer"), e.getMessage());
        assertTrue(open(name, null).readConfig("srouter_lease").isEmpty(), "nothing was written");
        assertEquals(1, server.calls("Qdrant/HealthCheck"));
        assertThrows(SrouterException.class, () -> index.compareAndSetConfig("srouter_lease", null, "x"));
        assertEquals(1, server.calls("Qdrant/HealthCheck"), "the version is read once per run");
    }

    @Test
    void onAServerOlderThan1_15_4TwoWritersCanBothTakeTheLockSoTheRefusalIsNeeded() throws Exception {
        // What the refusal above protects against: the stand-in drops update_filter and update_mode as 1.15.3 does.
        String name = fresh();
        open(name, null).create(4);
        server.serverVersion("1.15.3");
        io.qdrant.client.QdrantClient raw = new io.qdrant.client.QdrantClient(io.qdrant.client.QdrantGrpcClient
                .newBuilder("127.0.0.1", server.port(), false).build());
        try {
            for (String value : List.of("first", "second")) {
                raw.upsertAsync(UpsertPoints.newBuilder().setCollectionName(QdrantIndex.CONFIG_COLLECTION).setWait(true)
                        .setUpdateMode(io.qdrant.client.grpc.Points.UpdateMode.InsertOnly)
                        .addPoints(io.qdrant.client.grpc.Points.PointStruct.newBuilder()
                                .setId(io.qdrant.client.PointIdFactory.id(7))
                                .setVectors(io.qdrant.client.VectorsFactory.vectors(1f))
                                .putPayload("value", io.qdrant.client.ValueFactory.value(value)))
                        .build()).get();
            }
        } finally {
            raw.close();
        }
        assertEquals("second", server.payloadOf(QdrantIndex.CONFIG_COLLECTION, "7").get("value"), "insert-only was ignored");
    }

    @Test
    void on1_16TheConditionalUpsertAloneKeepsRacingClientsToOneWinner() throws Exception {
        String name = fresh();
        open(name, null).create(4);
        server.serverVersion("1.16.3"); // knows update_filter, drops update_mode
        for (String expected : new String[] {null, "winner-of-round-1"}) {
            List<QdrantIndex> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(open(name, null));
            }
            List<Boolean> results = QdrantIndexTest.race(clients, (index, n) -> index.compareAndSetConfig("srouter_lease", expected,
                    "client-" + n));
            assertEquals(1, results.stream().filter(b -> b).count(), "exactly one writer wins: " + results);
            open(name, null).writeConfig("srouter_lease", "winner-of-round-1");
        }
    }

    @Test
    void theVersionCheckNeedsNoKey() {
        String name = fresh();
        server.apiKey("k-1");
        open(server.url(), "k-1", name, null).create(4);
        server.serverVersion("1.15.0");
        server.resetCounts();
        SrouterException e = assertThrows(SrouterException.class, () -> open(server.url(), "k-1", name, null)
                .compareAndSetConfig("srouter_lease", null, "x"));
        assertTrue(e.getMessage().contains("version 1.15.0"), e.getMessage());
        assertTrue(QdrantIndex.parseVersion("1.17.0-dev") != null && QdrantIndex.parseVersion("dev") == null);
    }

    // ---- 3. replication ----

    @Test
    void theLeaseIsWrittenWithStrongOrderingAndReadBackByMajority() {
        String name = fresh();
        open(name, null).create(4);
        server.resetCounts();
        try (LeaseLock.Held held = new LeaseLock(open(name, null), Clock.systemUTC(), Duration.ofSeconds(30)).acquire("t", Duration.ZERO)) {
            assertTrue(open(name, null).readConfig("srouter_lease").isPresent());
        }
        List<Object> upserts = server.requests("Points/Upsert");
        List<Object> gets = server.requests("Points/Get");
        assertFalse(upserts.isEmpty() || gets.isEmpty());
        for (Object o : upserts) {
            UpsertPoints u = (UpsertPoints) o;
            if (u.getCollectionName().equals(QdrantIndex.CONFIG_COLLECTION)) {
                assertTrue(u.hasOrdering() && u.getOrdering().getType() == WriteOrderingType.Strong, u.toString());
            }
        }
        for (Object o : gets) {
            GetPoints g = (GetPoints) o;
            if (g.getCollectionName().equals(QdrantIndex.CONFIG_COLLECTION)) {
                assertEquals(ReadConsistencyType.Majority, g.getReadConsistency().getType(), g.toString());
            }
        }
    }

    // ---- 4. read-only keys ----

    @Test
    void aReadOnlyKeySaysItCannotWriteNotThatTheKeyIsWrong() {
        String name = fresh();
        server.apiKey("admin-key-1");
        open(server.url(), "admin-key-1", name, null).create(4);
        server.readOnlyApiKey("reader-key-2");
        QdrantIndex reader = open(server.url(), "reader-key-2", name, null);
        assertEquals(0, reader.describe().count(), "a read-only key reads");
        SrouterException e = assertThrows(SrouterException.class,
                () -> reader.upsert(List.of(new VectorRecord("r", "u", unit(4, 1), Map.of(), List.of()))));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("did not let the API key") && e.getMessage().contains("Global manage access is required")
                && !e.getMessage().contains("rejected the API key"), e.getMessage());
        assertFalse(printed(e).contains("reader-key-2") || printed(e).contains("admin-key-1"));
    }

    // ---- 5. TLS ----

    @Test
    void httpsTowardsAPlaintextServerSaysTheServerDoesNotSpeakTls() {
        String name = fresh();
        String url = "https://127.0.0.1:" + server.port();
        server.resetCounts();
        SrouterException e = assertThrows(SrouterException.class, () -> open(url, null, name, null).describe());
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("Qdrant at " + url + " does not speak TLS (the TLS handshake got a plaintext answer): use http://127.0.0.1:"
                + server.port(), e.getMessage());
    }

    @Test
    void httpTowardsATlsServerSaysTheServerSpeaksTls() {
        try (FakeQdrantServer tls = FakeQdrantServer.startTls()) {
            String url = "http://127.0.0.1:" + tls.port();
            SrouterException e = assertThrows(SrouterException.class, () -> open(url, null, fresh(), null).describe());
            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertEquals("Qdrant at " + url + " speaks TLS (a plaintext request got no gRPC answer): use https://127.0.0.1:" + tls.port(),
                    e.getMessage());
        }
    }
}
