package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.cli.CliRunner.Result;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.pinecone.FakePineconeServer;
import dev.srouter.index.pinecone.PineconeIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sync commands against {@code --index pinecone}: the Pinecone stand-in (control plane over HTTP, data
 * plane over gRPC) on 127.0.0.1 as an emulator, found through PINECONE_HOST, with writes that become
 * visible to Fetch, List and Query each after its own lag, as on Pinecone's eventually consistent service.
 */
class PineconeSyncCommandsTest extends SyncCommandsContract {
    private static final AtomicInteger INDEXES = new AtomicInteger();
    private static FakePineconeServer server;
    private String indexName;

    @BeforeAll
    static void startServer() {
        // Time-based freshness as on Pinecone: Fetch after 20 ms, List after 60 ms, Query after 20 ms.
        server = FakePineconeServer.start().freshnessLag(Duration.ofMillis(20), Duration.ofMillis(60), Duration.ofMillis(20))
                .notReadyDescribes(2);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected String newIndexSpec(Path dir) {
        indexName = "cli-" + INDEXES.incrementAndGet();
        return "pinecone";
    }

    @Override
    protected VectorIndex openIndex() {
        return PineconeIndex.connect(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), indexName, null, Clock.systemUTC(),
                PineconeIndex.Settings.defaults().withSettleDelay(Duration.ofMillis(50)));
    }

    @Override
    protected CliRunner runner() {
        return super.runner().env("PINECONE_HOST", server.controlUrl()).env("PINECONE_API_KEY", FakePineconeServer.DEFAULT_API_KEY)
                .env("SROUTER_INDEX_NAME", indexName).env("SROUTER_PINECONE_SETTLE", "50ms");
    }

    @Test
    void theIndexIsCreatedServerlessAndCosineAndWaitedFor() {
        Result push = runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "pinecone", "--yes");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(server.indexes().contains(indexName));
        assertEquals(36, server.vectorCount(indexName, ""));
        Result diff = runner().run("diff", "-r", CliRunner.exampleRoutes(), "--index", "pinecone");
        assertEquals(0, diff.exit(), "in sync right after the sync, writes visible: " + diff);
    }

    @Test
    void routeNamesThatShareIdsAreRefusedBeforeAnyWrite() throws Exception {
        Path file = Files.writeString(routes, """
                routes:
                  - name: Route 1
                    utterances: [hello]
                  - name: Route-1
                    utterances: [hi]
                """);
        Result r = runner().run("push", "-r", file.toString(), "--index", "pinecone", "--yes");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("'Route 1' and 'Route-1'"), r.toString());
        assertFalse(server.indexes().contains(indexName), "nothing written, not even the index");
    }

    @Test
    void aWrongApiKeyExits4WithoutPrintingIt() {
        Result r = runner().env("PINECONE_API_KEY", "not-the-key-8812").run("diff", "-r", CliRunner.exampleRoutes(), "--index", "pinecone");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("Pinecone rejected the API key"), r.toString());
        assertFalse(r.err().contains("not-the-key-8812") || r.out().contains("not-the-key-8812"), r.toString());
    }

    @Test
    void routingAgainstAMissingIndexSaysHowToCreateIt() {
        Result r = runner().run("route", "--index", "pinecone", "hello");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("does not exist") && r.err().contains("srouter push --index pinecone"), r.toString());
    }

    @Test
    void aPodIndexIsRefusedUpFrontSayingSrouterNeedsAServerlessIndex() {
        server.createPodIndex(indexName, 384, "cosine", "us-east-1-aws", "p1.x1");
        server.resetCounts();
        Result r = runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "pinecone", "--yes");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("pod-based index") && r.err().contains("srouter needs a serverless index"), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertEquals(0, server.calls("List") + server.calls("Upsert"), server.callCounts().toString());
    }

    @Test
    void aQuota403IsNotCalledABadKey() {
        server.maxServerlessIndexes(server.indexes().size());
        try {
            Result r = runner().run("push", "-r", CliRunner.exampleRoutes(), "--index", "pinecone", "--yes");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("Pinecone refused to create index " + indexName + " (403 Forbidden): Request failed. You've reached "
                    + "the max serverless indexes allowed in project"), r.toString());
            assertFalse(r.err().contains("API key"), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
        } finally {
            server.maxServerlessIndexes(Integer.MAX_VALUE);
        }
    }

    @Test
    void aRouteNamePineconeIdsCannotHoldIsRefusedBeforeAnyWrite() throws Exception {
        Path file = Files.writeString(routes, """
                routes:
                  - name: café
                    utterances: [hello]
                """);
        Result r = runner().run("push", "-r", file.toString(), "--index", "pinecone", "--yes");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("route 'café' cannot be stored in Pinecone: Pinecone record ids are ASCII only"), r.toString());
        assertFalse(server.indexes().contains(indexName), "nothing written, not even the index");
    }

    /** Pinecone's ids are {@code "{route}#{sha256 of the utterance}"}: those records do not collide. */
    @Override
    protected boolean collidingQdrantIdsAreOneRecord() {
        return false;
    }
}
