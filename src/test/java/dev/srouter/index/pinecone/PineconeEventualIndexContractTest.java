package dev.srouter.index.pinecone;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;

/**
 * The index contract on a Pinecone stand-in with time-based freshness, inside a namespace: a write shows to Fetch
 * after 20 ms, to List (and the stats) after 60 ms, to Query after 20 ms. What the contract reads after {@code settle}
 * must be there; srouter awaits Fetch and List, not Query (see docs/pinecone.md, "Eventual consistency"), so Query's
 * lag here is not above Fetch's.
 */
class PineconeEventualIndexContractTest extends PineconeIndexContractTest {
    @BeforeAll
    static void delayVisibility() {
        server.freshnessLag(Duration.ofMillis(20), Duration.ofMillis(60), Duration.ofMillis(20));
    }

    @Override
    protected String namespace() {
        return "acme";
    }
}
