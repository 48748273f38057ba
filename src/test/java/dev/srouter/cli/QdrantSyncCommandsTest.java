package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.cli.CliRunner.Result;
import dev.srouter.index.RemoteIndexTesting;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.qdrant.FakeQdrantServer;
import dev.srouter.index.qdrant.QdrantEndpoint;
import dev.srouter.index.qdrant.QdrantIndex;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sync commands against {@code --index qdrant}: a Qdrant stand-in on 127.0.0.1 driven through the
 * official client, found through QDRANT_URL and QDRANT_API_KEY as a CI job would set them.
 */
class QdrantSyncCommandsTest extends SyncCommandsContract {
    private static final String KEY = "test-key-7f3a9c";
    private static final AtomicInteger COLLECTIONS = new AtomicInteger();
    static FakeQdrantServer server;
    private String collection;

    @BeforeAll
    static void startServer() {
        server = FakeQdrantServer.start().apiKey(KEY);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected String newIndexSpec(Path dir) {
        collection = "cli-" + COLLECTIONS.incrementAndGet();
        return "qdrant";
    }

    @Override
    protected VectorIndex openIndex() {
        return QdrantIndex.connect(QdrantEndpoint.parse(server.url()), KEY, collection, null, Clock.systemUTC(),
                RetryPolicy.defaults());
    }

    @Override
    protected CliRunner runner() {
        return super.runner().env("QDRANT_URL", server.url()).env("QDRANT_API_KEY", KEY).env("SROUTER_INDEX_NAME", collection);
    }

    @Test
    void theCollectionIsCreatedWithACosineVectorAndARouteIndex() {
        assertEquals(0, runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "qdrant", "--yes").exit());
        assertTrue(server.collections().contains(collection));
        assertTrue(server.fieldIndexes(collection).contains("sr_route"), server.fieldIndexes(collection).toString());
        assertEquals(36, server.pointCount(collection));
    }

    @Test
    void aCollectionSemanticRouterWroteOnQdrantCloudIsDiffedThenSyncedAndThenRoutes() {
        // As semantic-router 0.1 leaves a collection on Qdrant Cloud: points, strict mode, no payload index.
        server.createCollection(collection, 384, "Cosine");
        server.strictMode(collection, FakeQdrantServer.CLOUD_STRICT_MODE);
        float[] v = new float[384];
        v[0] = 1;
        server.putPoint(collection, "6583a1f8-7b8b-5502-b61e-6e740fa05c17", v,
                java.util.Map.of("sr_route", "politics", "sr_utterance", "isn't politics the best thing ever", "metadata", java.util.Map.of()));
        String routesFile = CliRunner.exampleRoutes();
        Result status = runner().run("status", "-r", routesFile, "--index", "qdrant");
        assertEquals(0, status.exit(), status.toString());
        Result diff = runner().run("diff", "-r", routesFile, "--index", "qdrant", "--summary");
        assertEquals(2, diff.exit(), diff.toString());
        Result route = runner().run("route", "-r", routesFile, "--index", "qdrant", "isn't politics the best thing ever");
        assertEquals(1, route.exit(), route.toString());
        assertTrue(route.err().contains("no payload index on 'namespace'") && route.err().contains("srouter push or sync"), route.toString());
        assertEquals(1, route.err().strip().lines().count(), "one line: " + route);
        Result sync = runner().run("sync", "-r", routesFile, "--index", "qdrant", "--strategy", "merge-force-local", "--yes");
        assertEquals(0, sync.exit(), sync.toString());
        assertTrue(server.fieldIndexes(collection).containsAll(java.util.List.of("sr_route", "namespace")));
        Result after = runner().run("diff", "-r", routesFile, "--index", "qdrant");
        assertEquals(0, after.exit(), after.toString());
        Result routed = runner().run("route", "-r", routesFile, "--index", "qdrant", "don't you just love the president");
        assertEquals(0, routed.exit(), routed.toString());
        assertTrue(routed.out().startsWith("politics"), routed.toString());
    }

    @Test
    void onAServerOlderThan1_15_4SyncStopsWithExit1BeforeWritingWhileDiffStillWorks() {
        assertEquals(0, runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "qdrant", "--yes").exit());
        server.serverVersion("1.14.1");
        try {
            Result diff = runner().run("diff", "-r", CliRunner.exampleRoutes(), "--index", "qdrant");
            assertEquals(0, diff.exit(), diff.toString());
            Result sync = runner().run("sync", "-r", routes.toString(), "--index", "qdrant", "--strategy", "merge", "--yes", "--reembed");
            assertEquals(1, sync.exit(), sync.toString());
            assertTrue(sync.err().contains("is version 1.14.1") && sync.err().contains("1.15.4 or newer"), sync.toString());
            assertEquals(1, sync.err().lines().filter(l -> l.startsWith("srouter:")).count(), "one error line: " + sync);
        } finally {
            server.serverVersion(null);
        }
    }

    @Test
    void aWrongApiKeyExits4WithoutPrintingIt() {
        Result r = runner().env("QDRANT_API_KEY", "not-the-key-5521").run("diff", "-r", CliRunner.exampleRoutes(), "--index", "qdrant");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("Qdrant rejected the API key"), r.toString());
        assertFalse(r.err().contains("not-the-key-5521") || r.out().contains("not-the-key-5521"), r.toString());
        assertFalse(r.err().contains(KEY), r.toString());
    }

    @Test
    void anUnreachableServerExits4NamingTheUrl() {
        int port = RemoteIndexTesting.unusedPort();
        String url = "http://127.0.0.1:" + port;
        Result r = runner().env("QDRANT_URL", url).run("status", "-r", CliRunner.exampleRoutes(), "--index", "qdrant");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("cannot reach Qdrant at " + url), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    }

    @Test
    void theUrlOptionWinsOverTheEnvironment() {
        Result r = runner().env("QDRANT_URL", "http://127.0.0.1:1").run("status", "-r", CliRunner.exampleRoutes(), "--index", "qdrant",
                "--qdrant-url", server.url());
        assertEquals(0, r.exit(), r.toString());
    }

    @Test
    void transientUnavailabilityIsRetried() {
        assertEquals(0, runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "qdrant", "--yes").exit());
        server.failCalls(2, Status.Code.UNAVAILABLE);
        Result r = runner().run("diff", "-r", CliRunner.exampleRoutes(), "--index", "qdrant");
        assertEquals(0, r.exit(), r.toString());
    }
}
