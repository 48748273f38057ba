package dev.srouter.index.pinecone;

import static dev.srouter.index.RemoteIndexTesting.printed;
import static dev.srouter.index.RemoteIndexTesting.sync;
import static dev.srouter.index.RemoteIndexTesting.unit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.srouter.engine.SyncService;
import dev.srouter.index.RemoteIndexTesting;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * What the Pinecone adapter adds to the index contract: semantic-router's layout byte for byte, index
 * creation and readiness, batched reads, eventual visibility, the best-effort lease under a race,
 * retries and error messages.
 */
class PineconeIndexTest {
    private static final AtomicInteger INDEXES = new AtomicInteger();
    private static final PineconeIndex.Settings FAST = PineconeIndexContractTest.FAST;
    private FakePineconeServer server;
    private final List<PineconeIndex> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        server = FakePineconeServer.start();
    }

    @AfterEach
    void stop() {
        opened.forEach(PineconeIndex::close);
        server.close();
    }

    private PineconeIndex open(String name, String namespace) {
        return open(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), name, namespace, FAST);
    }

    private PineconeIndex open(String key, String host, String name, String namespace, PineconeIndex.Settings settings) {
        PineconeIndex index = PineconeIndex.connect(key, host, name, namespace, Clock.systemUTC(), settings);
        opened.add(index);
        return index;
    }

    private static String fresh() {
        return "t-" + INDEXES.incrementAndGet();
    }

    // ---- layout ----

    @Test
    void idsAndMetadataAreSemanticRoutersLayout() {
        PineconeIndex index = open("semantic-router-index", null);
        index.create(4);
        index.upsert(List.of(
                new VectorRecord("politics", "isn't politics the best thing ever", unit(4, 1), Map.of("team", "policy"), List.of()),
                new VectorRecord("customer support", "where is my order? 🚚", unit(4, 2), Map.of(),
                        List.of(Map.of("name", "track_order")))));
        assertEquals(Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "sr_function_schema", "{}",
                "team", "policy"),
                server.metadataOf("semantic-router-index", "",
                        "politics#ed0f3dd7bd5dea12e55b1953bcd2c562a5ab19f501f6d5ff8c8927652c3904b8"));
        Map<String, Object> support = server.metadataOf("semantic-router-index", "",
                "customer-support#01f0179d50d366058fa0726909181f03ca4173683c84000ab19270660e7d8c90");
        assertEquals("customer support", support.get("sr_route"));
        assertEquals("[{\"name\":\"track_order\"}]", support.get("sr_function_schema"));

        index.writeConfig("sr_hash", "abc");
        Map<String, Object> hash = server.metadataOf("semantic-router-index", PineconeIndex.CONFIG_NAMESPACE, "sr_hash#");
        assertEquals("abc", hash.get("value"));
        assertEquals("sr_hash", hash.get("field"));
        assertEquals("", hash.get("namespace"));
        assertTrue(hash.get("created_at").toString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00"), hash.toString());
        assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f, 0.1f}, server.valuesOf("semantic-router-index", PineconeIndex.CONFIG_NAMESPACE, "sr_hash#"));
    }

    @Test
    void aNamespaceHoldsTheRecordsAndNamesTheConfigEntries() {
        String name = fresh();
        PineconeIndex index = open(name, "acme");
        index.create(4);
        index.upsert(List.of(new VectorRecord("politics", "u", unit(4, 1), Map.of(), List.of())));
        index.writeConfig("sr_lock", "False");
        assertEquals(1, server.vectorCount(name, "acme"));
        assertEquals(0, server.vectorCount(name, ""));
        assertEquals("acme", server.metadataOf(name, PineconeIndex.CONFIG_NAMESPACE, "sr_lock#acme").get("namespace"));
        assertEquals(0, open(name, null).describe().count());
        assertEquals(1, index.describe().count());
    }

    @Test
    void anIndexWrittenBySemanticRouterIsReadAndSyncedInPlace() {
        String name = fresh();
        server.createIndex(name, 4, "cosine");
        server.putVector(name, "", "politics#ed0f3dd7bd5dea12e55b1953bcd2c562a5ab19f501f6d5ff8c8927652c3904b8", unit(4, 1),
                Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "sr_function_schema", "{}"));
        server.putVector(name, "", dev.srouter.index.RecordIds.pineconeVectorId("chitchat", "how's the weather today?"), unit(4, 2),
                Map.of("sr_route", "chitchat", "sr_utterance", "how's the weather today?", "sr_function_schema", "{}", "tone", "light",
                        "priority", 2.0));
        PineconeIndex index = open(name, null);
        RouteSet remote = RemoteReader.read(index).routes();
        assertEquals(List.of("chitchat", "politics"), remote.routeNames());
        assertEquals(Map.of("tone", "light", "priority", 2), remote.route("chitchat").orElseThrow().metadata(),
                "metadata keys beside sr_*; a whole number reads back as an integer");

        RouteSet local = RouteSet.of(List.of(
                new Route("politics", List.of("isn't politics the best thing ever"), null, null, Map.of(), List.of()),
                new Route("chitchat", List.of("how's the weather today?", "how are things going?"), null, null,
                        Map.of("tone", "light", "priority", 2), List.of())));
        CountingEncoder encoder = new CountingEncoder("m", 4);
        sync(index, encoder, local, SyncStrategy.LOCAL, 500, false);
        assertEquals(1, encoder.texts.get(), "only the new utterance is embedded");
        assertTrue(Diff.between(local, RemoteReader.read(open(name, null)).routes()).isEmpty());
    }

    @Test
    void routeNamesThatCollideInIdsAreRefusedBeforeAnyWrite() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        server.resetCounts();
        RouteSet local = RouteSet.of(List.of(Route.of("Route 1", List.of("hello")), Route.of("Route-1", List.of("hi"))));
        SyncService service = new SyncService(index, new CountingEncoder("m", 4), Clock.systemUTC(), 500, "test", m -> {});
        SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, false);
        SrouterException e = assertThrows(SrouterException.class, () -> service.checkEncoder(c, false));
        assertTrue(e.getMessage().contains("'Route 1' and 'Route-1'"), e.getMessage());
        assertEquals(0, server.calls("Upsert"), server.callCounts().toString());
        assertThrows(SrouterException.class, () -> index.upsert(List.of(new VectorRecord("Route 1", "x", unit(4, 1), Map.of(), List.of()),
                new VectorRecord("Route-1", "x", unit(4, 2), Map.of(), List.of()))));
        assertEquals(0, server.vectorCount(name, ""));
    }

    @Test
    void metadataPineconeCannotHoldIsRefusedNamingRouteAndKey() {
        PineconeIndex index = open(fresh(), null);
        index.create(4);
        SrouterException e = assertThrows(SrouterException.class, () -> index.upsert(List.of(
                new VectorRecord("billing", "refund", unit(4, 1), Map.of("owner", Map.of("team", "x")), List.of()))));
        assertTrue(e.getMessage().contains("'billing'") && e.getMessage().contains("'owner'") && e.getMessage().contains("a map"), e.getMessage());
    }

    @Test
    void aConfigValueLongerThanOneVectorsMetadataIsWrittenInParts() {
        String name = fresh();
        PineconeIndex index = open(name, "acme");
        index.create(4);
        StringBuilder long_ = new StringBuilder();
        for (int i = 0; long_.length() < 100_000; i++) {
            long_.append("route ").append(i).append(" 🚚 café; ");
        }
        index.writeConfig("srouter_manifest", long_.toString());
        assertTrue(server.metadataOf(name, PineconeIndex.CONFIG_NAMESPACE, "srouter_manifest.part1#acme") != null, "written in parts");
        assertEquals(long_.toString(), open(name, "acme").readConfig("srouter_manifest").orElseThrow().value());
        index.writeConfig("srouter_manifest", "short again");
        assertEquals("short again", open(name, "acme").readConfig("srouter_manifest").orElseThrow().value(),
                "stale parts of the longer value are ignored");
    }

    @Test
    void aManifestOfManyRoutesFitsAndTheFastPathFindsIt() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        List<Route> routes = new ArrayList<>();
        for (int r = 0; r < 500; r++) {
            routes.add(new Route("route number " + r, List.of("utterance " + r), "what route " + r + " is for", 0.5, Map.of(), List.of()));
        }
        RouteSet local = RouteSet.of(routes);
        index.create(4);
        sync(index, new CountingEncoder("m", 4), local, SyncStrategy.LOCAL, 500, false);
        SyncService.Comparison c = new SyncService(open(name, null), null, Clock.systemUTC(), 500, "t", m -> {})
                .compare(local, SyncStrategy.MERGE, true);
        assertTrue(c.fastPath() && c.plan().inSync(), "the manifest (over 40 KB) reads back whole");
    }

    @Test
    void splittingNeverCutsASurrogatePair() {
        String text = "ab🚚🚚🚚c";
        for (int max = 1; max < 6; max++) {
            List<String> parts = PineconeIndex.split(text, Math.max(2, max));
            assertEquals(text, String.join("", parts));
            for (String p : parts) {
                assertFalse(Character.isHighSurrogate(p.charAt(p.length() - 1)), parts.toString());
            }
        }
    }

    @Test
    void anUtteranceWhoseMetadataExceedsPineconesLimitIsRefusedNamingTheRoute() {
        PineconeIndex index = open(fresh(), null);
        index.create(4);
        List<Map<String, Object>> schemas = List.of(Map.of("name", "big", "description", "x".repeat(50_000)));
        SrouterException e = assertThrows(SrouterException.class,
                () -> index.upsert(List.of(new VectorRecord("tools", "use the big tool", unit(4, 1), Map.of(), schemas))));
        assertTrue(e.getMessage().startsWith("route 'tools':") && e.getMessage().contains("40960"), e.getMessage());
    }

    // ---- the index ----

    @Test
    void createMakesACosineServerlessIndexAndWaitsUntilItIsReady() {
        server.notReadyDescribes(3);
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(384);
        assertTrue(server.indexes().contains(name));
        assertTrue(server.calls("http:GET /indexes/{name}") >= 4, "polled until ready: " + server.callCounts());
        assertEquals(new VectorIndex.IndexInfo(true, 0, 384, "cosine"), index.describe());
        index.upsert(List.of(new VectorRecord("r", "u", unit(384, 1), Map.of(), List.of())));
    }

    @Test
    void anIndexWithAnotherMetricIsRefusedNamingBoth() {
        String name = fresh();
        server.createIndex(name, 4, "dotproduct");
        server.resetCounts();
        SrouterException e = assertThrows(SrouterException.class, () -> open(name, null).create(4));
        assertTrue(e.getMessage().contains("dotproduct") && e.getMessage().contains("cosine"), e.getMessage());
        assertEquals(0, server.calls("Upsert") + server.calls("http:POST /indexes"));
    }

    // ---- reads and writes ----

    @Test
    void theWholeNamespaceIsReadByListingIdsAndFetchingAThousandPerCall() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(8);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            records.add(new VectorRecord("r" + (i % 7), "utterance " + i, unit(8, i), Map.of(), List.of()));
        }
        index.upsert(records);
        server.resetCounts();
        PineconeIndex fresh = open(name, null);
        assertEquals(2500, RemoteReader.read(fresh).records());
        assertEquals(3, server.calls("List"), server.callCounts().toString());
        assertEquals(4, server.calls("Fetch"), "3 pages and the manifest: " + server.callCounts());
    }

    @Test
    void listPagesShorterThanAskedStillFillOneFetchOfAThousand() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            records.add(new VectorRecord("r", "utterance " + i, unit(4, i), Map.of(), List.of()));
        }
        index.upsert(records);
        server.listPageCap(100);
        server.resetCounts();
        assertEquals(1500, RemoteReader.read(open(name, null)).records());
        assertEquals(15, server.calls("List"), server.callCounts().toString());
        assertEquals(3, server.calls("Fetch"), "2 pages of ids and the manifest: " + server.callCounts());
    }

    @Test
    void upsertsStayUnderPineconesRequestLimits() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(1536);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            records.add(new VectorRecord("r", "utterance " + i, unit(1536, i), Map.of(), List.of()));
        }
        server.resetCounts();
        index.upsert(records); // 1,200 x 1536 floats is about 7.4 MB: several 2 MB requests
        assertTrue(server.calls("Upsert") >= 4, server.callCounts().toString());
        assertEquals(1200, server.vectorCount(name, ""));
        server.resetCounts();
        // A fetch of 1,000 such vectors answers about 6 MB, more than gRPC's default 4 MB limit on a response.
        assertEquals(1200, RemoteReader.read(open(name, null)).records());
        assertEquals(3, server.calls("Fetch"), "2 pages and the manifest: " + server.callCounts());
    }

    @Test
    void aMetadataOnlyChangeKeepsTheVectors() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        index.upsert(List.of(new VectorRecord("r", "u", unit(4, 1), Map.of("v", "1", "old", "gone"), List.of())));
        String id = dev.srouter.index.RecordIds.pineconeVectorId("r", "u");
        float[] before = server.valuesOf(name, "", id);
        index.updatePayload(List.of(new StoredRecord("r", "u", Map.of("v", "2"), List.of()), new StoredRecord("r", "absent", Map.of(), List.of())));
        assertEquals(Map.of("sr_route", "r", "sr_utterance", "u", "sr_function_schema", "{}", "v", "2"), server.metadataOf(name, "", id),
                "metadata replaced, not merged");
        assertArrayEquals(before, server.valuesOf(name, "", id));
        assertEquals(1, server.vectorCount(name, ""), "no record created for an absent key");
    }

    @Test
    void writesAreAwaitedUntilVisible() {
        server.visibilityDelay(4);
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        index.upsert(List.of(new VectorRecord("r", "a", unit(4, 1), Map.of(), List.of())));
        index.delete(List.of(new VectorIndex.RecordKey("r", "never written")));
        index.awaitWritesVisible();
        assertEquals(List.of("a"), open(name, null).read(null, 10).records().stream().map(StoredRecord::utterance).toList());
    }

    @Test
    void writesThatNeverShowFailAfterTheTimeLimit() {
        server.visibilityDelay(1_000_000);
        PineconeIndex.Settings shortWait = FAST.withVisibilityTimeout(Duration.ofMillis(200));
        PineconeIndex index = open(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), fresh(), null, shortWait);
        index.create(4);
        index.upsert(List.of(new VectorRecord("r", "a", unit(4, 1), Map.of(), List.of())));
        SrouterException e = assertThrows(SrouterException.class, index::awaitWritesVisible);
        assertTrue(e.getMessage().startsWith("1 writes to ") && e.getMessage().contains("not visible"), e.getMessage());
    }

    @Test
    void aConfigWriteOverwrittenByALaterWriterCountsAsVisible() throws Exception {
        String name = fresh();
        PineconeIndex.Settings shortWait = FAST.withVisibilityTimeout(Duration.ofMillis(300));
        PineconeIndex first = open(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), name, null, shortWait);
        PineconeIndex second = open(name, null);
        first.create(4);
        first.writeConfig("srouter_lease", "first");
        Thread.sleep(2); // a later created_at
        second.writeConfig("srouter_lease", "second");
        first.awaitWritesVisible(); // what shows is newer than our write: ours is past, not lost in transit
        assertEquals("second", first.readConfig("srouter_lease").orElseThrow().value());
    }

    // ---- the lease ----

    @Test
    void leasesRacingThroughSeparateClientsHaveOneHolder() throws Exception {
        String name = fresh();
        open(name, null).create(4);
        assertEquals(1, leaseHolders(name, 4));
    }

    /** How many of {@code n} clients, each on its own connection with a 300 ms settle delay, take the lease when they race for it. */
    private int leaseHolders(String name, int n) throws Exception {
        List<PineconeIndex> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PineconeIndex client = open(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), name, null,
                    FAST.withSettleDelay(Duration.ofMillis(300)));
            client.describe(); // connected before the start line
            clients.add(client);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PineconeIndex client = clients.get(i);
                int me = i;
                results.add(pool.submit((Callable<Boolean>) () -> {
                    go.await();
                    try {
                        new LeaseLock(client, Clock.systemUTC(), Duration.ofSeconds(60)).acquire("sync-" + me, Duration.ZERO);
                        return true;
                    } catch (SrouterException e) {
                        assertEquals(ExitCode.LOCKED, e.exitCode(), e.getMessage());
                        return false;
                    }
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            return winners;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- errors ----

    @Test
    void rateLimitsAndUnavailabilityAreRetried() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        server.resetCounts();
        server.failHttp(1, 429);
        server.failCall(1, Status.Code.UNAVAILABLE);
        assertTrue(index.describe().exists());
        assertEquals(2, server.calls("http:GET /indexes/{name}"), server.callCounts().toString());
        assertEquals(2, server.calls("DescribeIndexStats"), server.callCounts().toString());
        server.dropConnectionOnCall(1);
        index.upsert(List.of(new VectorRecord("r", "a", unit(4, 1), Map.of(), List.of())));
        assertEquals(1, server.vectorCount(name, ""), "a write whose answer was lost is retried without a duplicate");
    }

    @Test
    void aWrongApiKeyExits4OnBothPlanesAndIsNeverShown() {
        String name = fresh();
        open(name, null).create(4);
        server.apiKey("the-right-key-1");
        SrouterException control = assertThrows(SrouterException.class,
                () -> open("a-wrong-key-22", server.controlUrl(), name, null, FAST).describe());
        assertEquals(ExitCode.UNREACHABLE, control.exitCode());
        assertTrue(control.getMessage().startsWith("Pinecone rejected the API key (PINECONE_API_KEY)"), control.getMessage());
        assertFalse(printed(control).contains("a-wrong-key-22") || printed(control).contains("the-right-key-1"));
    }

    @Test
    void noApiKeyWithoutAnEmulatorIsRefusedUpFront() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> PineconeIndex.connect(null, null, "x", null, Clock.systemUTC(), FAST));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("Pinecone needs an API key: set PINECONE_API_KEY", e.getMessage());
    }

    @Test
    void anUnreachableControlPlaneExits4NamingIt() {
        int port = RemoteIndexTesting.unusedPort();
        String host = "http://127.0.0.1:" + port;
        SrouterException e = assertThrows(SrouterException.class,
                () -> open(FakePineconeServer.DEFAULT_API_KEY, host, fresh(), null, FAST).describe());
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot reach Pinecone at " + host + " (tried 4 times)"), e.getMessage());
    }

    @Test
    void aMissingIndexReadsAsEmptyAndRefusesWritesSayingHowToCreateIt() {
        PineconeIndex index = open(fresh(), null);
        assertFalse(index.describe().exists());
        assertNull(index.read(null, 10).nextPageToken());
        SrouterException e = assertThrows(SrouterException.class, () -> index.writeConfig("sr_hash", "x"));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("does not exist: create it with srouter push --index pinecone"), e.getMessage());
    }

    // ---- issue 9: behaviours of the real service ----

    @Test
    void podAndByocIndexesAreRefusedBeforeAnyListOrWrite() {
        String pod = fresh();
        server.createPodIndex(pod, 4, "cosine", "us-east-1-aws", "p1.x1");
        String byoc = fresh();
        server.createByocIndex(byoc, 4, "cosine", "aws-us-east-1-b921");
        server.resetCounts();
        for (String name : List.of(pod, byoc)) {
            PineconeIndex index = open(name, null);
            SrouterException e = assertThrows(SrouterException.class, index::describe);
            assertEquals(ExitCode.FAILURE, e.exitCode());
            assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("srouter needs a serverless index"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertThrows(SrouterException.class, () -> index.create(4));
            assertThrows(SrouterException.class, () -> index.read(null, 10));
            assertThrows(SrouterException.class, () -> index.writeConfig("sr_hash", "x"));
        }
        assertTrue(open(pod, null).describeLocation().contains(pod));
        assertEquals(0, server.calls("List") + server.calls("Upsert") + server.calls("Fetch") + server.calls("DescribeIndexStats"),
                server.callCounts().toString());
    }

    @Test
    void a403QuotaKeepsTheServersMessageAndSaysWhatWasRefused() {
        server.createIndex(fresh(), 4, "cosine");
        server.maxServerlessIndexes(1);
        String name = fresh();
        SrouterException e = assertThrows(SrouterException.class, () -> open(name, null).create(4));
        assertEquals(ExitCode.FAILURE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Pinecone refused to create index " + name + " (403 Forbidden): Request failed. You've reached "
                + "the max serverless indexes allowed in project Default (1)."), e.getMessage());
        assertFalse(e.getMessage().contains("API key") || e.getMessage().contains("{"), e.getMessage());
        assertFalse(server.indexes().contains(name));
    }

    @Test
    void aMonthlyQuotaIsNotRetriedButAPerSecondRateLimitIs() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        index.upsert(List.of(new VectorRecord("r", "a", unit(4, 1), Map.of(), List.of())));
        server.failCall(1, Status.Code.RESOURCE_EXHAUSTED, "Request failed. You've reached the max list requests per second for index "
                + name + ". Pace your list requests or contact Pinecone Support to request a higher limit.");
        server.resetCounts();
        assertEquals(1, index.read(null, 10).records().size(), "a per-second limit is waited out");
        assertEquals(2, server.calls("List"), server.callCounts().toString());

        server.monthlyUnitsUsedUp(true, false);
        server.resetCounts();
        SrouterException read = assertThrows(SrouterException.class, () -> index.read(null, 10));
        assertEquals(ExitCode.FAILURE, read.exitCode(), read.getMessage());
        assertTrue(read.getMessage().contains("monthly quota is used up") && read.getMessage().contains(FakePineconeServer.READ_UNITS_USED_UP),
                read.getMessage());
        assertEquals(1, server.calls("List"), "not retried: " + server.callCounts());

        server.monthlyUnitsUsedUp(false, true);
        server.resetCounts();
        SrouterException write = assertThrows(SrouterException.class,
                () -> index.upsert(List.of(new VectorRecord("r", "b", unit(4, 2), Map.of(), List.of()))));
        assertTrue(write.getMessage().contains(FakePineconeServer.WRITE_UNITS_USED_UP), write.getMessage());
        assertEquals(1, server.calls("Upsert"), "not retried: " + server.callCounts());
    }

    @Test
    void anIndexThatFailedToInitializeEndsTheWaitAtOnce() {
        server.initializationFails(true);
        String name = fresh();
        SrouterException e = assertThrows(SrouterException.class, () -> open(name, null).create(4));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("failed to initialize (state InitializationFailed)"),
                e.getMessage());
        assertTrue(server.calls("http:GET /indexes/{name}") <= 2, "no polling: " + server.callCounts());
    }

    @Test
    void routeNamesWhoseIdsPineconeCannotTakeAreRefusedBeforeAnyWriteNamingTheRoute() {
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        String longest = "r".repeat(PineconeIndex.MAX_ID_CHARS - 65);
        for (String route : List.of("café", "nul\0route", longest + "r")) {
            server.resetCounts();
            RouteSet local = RouteSet.of(List.of(Route.of(route, List.of("hello"))));
            SyncService service = new SyncService(index, new CountingEncoder("m", 4), Clock.systemUTC(), 500, "test", m -> {});
            SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, false);
            SrouterException e = assertThrows(SrouterException.class, () -> service.checkEncoder(c, false), route);
            assertEquals(ExitCode.FAILURE, e.exitCode());
            assertTrue(e.getMessage().startsWith("route '") && e.getMessage().contains("cannot be stored in Pinecone"), e.getMessage());
            assertFalse(e.getMessage().contains("\0"), "NUL is shown as \\0: " + e.getMessage());
            assertThrows(SrouterException.class, () -> index.upsert(List.of(new VectorRecord(route, "x", unit(4, 1), Map.of(), List.of()))));
            assertEquals(0, server.calls("Upsert"), server.callCounts().toString());
        }
        index.upsert(List.of(new VectorRecord(longest, "x", unit(4, 1), Map.of(), List.of()))); // 512 characters: taken
        index.awaitWritesVisible();
        assertEquals(List.of(longest), index.read(null, 10).records().stream().map(StoredRecord::route).toList());
    }

    @Test
    void namespacesWhoseConfigIdsPineconeCannotTakeAreRefusedUpFront() {
        int longest = PineconeIndex.MAX_ID_CHARS - PineconeIndex.CONFIG_FIELD_ROOM;
        for (String namespace : List.of("acmé", "team a", "n".repeat(longest + 1))) {
            SrouterException e = assertThrows(SrouterException.class, () -> open(fresh(), namespace));
            assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().startsWith("the Pinecone namespace (--namespace) '"), e.getMessage());
        }
        assertEquals(0, server.totalCalls(), server.callCounts().toString());
        String name = fresh();
        PineconeIndex index = open(name, "n".repeat(longest));
        index.create(4);
        StringBuilder manifest = new StringBuilder();
        while (manifest.length() < 50_000) {
            manifest.append("route ").append(manifest.length()).append("; ");
        }
        index.writeConfig("srouter_manifest", manifest.toString()); // in parts: srouter_manifest.part1#nnn... is within 512
        assertEquals(manifest.toString(), open(name, "n".repeat(longest)).readConfig("srouter_manifest").orElseThrow().value());
    }

    @Test
    void aListLimitTheServiceRefusesFallsBackToTheDefaultForTheRestOfTheRun() {
        String name = fresh();
        PineconeIndex writer = open(name, null);
        writer.create(4);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            records.add(new VectorRecord("r", "utterance " + i, unit(4, i), Map.of(), List.of()));
        }
        writer.upsert(records);
        server.maxListLimit(100);
        PineconeIndex index = open(name, null);
        server.resetCounts();
        assertEquals(250, RemoteReader.read(index).records());
        assertEquals(4, server.calls("List"), "one refusal of 1,000, then three pages of 100: " + server.callCounts());
        assertEquals(2, server.calls("Fetch"), "the 250 ids in one fetch, and the manifest: " + server.callCounts());
        server.resetCounts();
        assertEquals(250, RemoteReader.read(index).records());
        assertEquals(3, server.calls("List"), "the fallback is remembered: " + server.callCounts());
    }

    @Test
    void configPartsOfNonAsciiTextFitHoweverPineconeCountsMetadata() {
        String name = fresh();
        PineconeIndex index = open(name, "acme");
        index.create(4);
        String text = "é".repeat(60_000) + "🚚".repeat(10_000) + "\"quoted\"\n".repeat(2_000);
        index.writeConfig("srouter_manifest", text); // the stand-in counts escaped JSON: "é" is 6 bytes there, 2 in protobuf
        assertEquals(text, open(name, "acme").readConfig("srouter_manifest").orElseThrow().value());
    }

    @Test
    void anUtteranceOverTheLimitOnlyWhenCountedAsEscapedJsonIsRefusedBeforeAnyWrite() {
        PineconeIndex index = open(fresh(), null);
        index.create(4);
        server.resetCounts();
        Map<String, Object> metadata = Map.of("description", "é".repeat(15_000)); // 30 KB of protobuf, 90 KB of escaped JSON
        SrouterException e = assertThrows(SrouterException.class,
                () -> index.upsert(List.of(new VectorRecord("tools", "use the tool", unit(4, 1), metadata, List.of()))));
        assertTrue(e.getMessage().startsWith("route 'tools':") && e.getMessage().contains("40960"), e.getMessage());
        assertEquals(0, server.calls("Upsert"), server.callCounts().toString());
        index.upsert(List.of(new VectorRecord("tools", "use the tool", unit(4, 1), Map.of("description", "é".repeat(6_000)), List.of())));
    }

    @Test
    void aSyncIsOverOnlyWhenListShowsItsWritesToo() {
        // Fetch is fresh at once, List only after half a second: a read (which lists ids) right after the sync must see it all.
        server.freshnessLag(Duration.ZERO, Duration.ofMillis(500), Duration.ZERO);
        String name = fresh();
        PineconeIndex index = open(name, null);
        index.create(4);
        RouteSet local = RouteSet.of(List.of(Route.of("politics", List.of("a", "b")), Route.of("chitchat", List.of("c"))));
        sync(index, new CountingEncoder("m", 4), local, SyncStrategy.LOCAL, 500, false);
        assertTrue(Diff.between(local, RemoteReader.read(open(name, null)).routes()).isEmpty(), "listed right after the sync");
        RouteSet fewer = RouteSet.of(List.of(Route.of("politics", List.of("a"))));
        sync(index, new CountingEncoder("m", 4), fewer, SyncStrategy.LOCAL, 500, false);
        assertTrue(Diff.between(fewer, RemoteReader.read(open(name, null)).routes()).isEmpty(), "deletes no longer listed");
    }

    @Test
    void leasesRacingUnderTimeBasedFreshnessHaveOneHolderWhenTheSettleDelayExceedsTheLag() throws Exception {
        server.freshnessLag(Duration.ofMillis(40), Duration.ofMillis(60), Duration.ofMillis(40));
        String name = fresh();
        open(name, null).create(4);
        assertEquals(1, leaseHolders(name, 4));
    }

}
