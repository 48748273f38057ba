package dev.srouter.index.pinecone;

import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The index contract on Pinecone: the adapter through the official client against the Pinecone stand-in. */
class PineconeIndexContractTest extends VectorIndexContractTest {
    static final PineconeIndex.Settings FAST = new PineconeIndex.Settings(
            new RetryPolicy(Duration.ofSeconds(5), 4, Duration.ofMillis(2), Duration.ofMillis(10)), Duration.ofMillis(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), "aws", "us-east-1");
    private static final AtomicInteger INDEXES = new AtomicInteger();
    protected static FakePineconeServer server;

    @BeforeAll
    static void startServer() {
        server = FakePineconeServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The namespace of the index under test; null for the default one. */
    protected String namespace() {
        return null;
    }

    @Override
    protected VectorIndex newIndex() {
        return PineconeIndex.connect(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), "contract-" + INDEXES.incrementAndGet(),
                namespace(), Clock.systemUTC(), FAST);
    }

    @Override
    protected void settle(VectorIndex index) {
        index.awaitWritesVisible();
    }

    @Override
    protected boolean keepsApartRoutesDifferingBySpaceOrDash() {
        return false;
    }

    @Override
    protected boolean takesNonAsciiRouteNames() {
        return false; // record ids are ASCII only (docs, "Identifier limits"); such routes are refused before any write
    }
}
