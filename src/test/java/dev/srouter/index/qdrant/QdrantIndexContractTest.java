package dev.srouter.index.qdrant;

import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The index contract on Qdrant: the adapter through the official client against the Qdrant stand-in. */
class QdrantIndexContractTest extends VectorIndexContractTest {
    static final RetryPolicy FAST_RETRIES = new RetryPolicy(Duration.ofSeconds(5), 4, Duration.ofMillis(2),
            Duration.ofMillis(10));
    private static final AtomicInteger COLLECTIONS = new AtomicInteger();
    static FakeQdrantServer server;

    @BeforeAll
    static void startServer() {
        server = FakeQdrantServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The namespace of the index under test; null for none. */
    protected String namespace() {
        return null;
    }

    @Override
    protected VectorIndex newIndex() {
        return QdrantIndex.connect(QdrantEndpoint.parse(server.url()), null, "contract-" + COLLECTIONS.incrementAndGet(), namespace(),
                Clock.systemUTC(), FAST_RETRIES);
    }
}
