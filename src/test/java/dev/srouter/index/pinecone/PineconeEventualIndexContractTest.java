package dev.srouter.index.pinecone;

import org.junit.jupiter.api.BeforeAll;

/**
 * The index contract on a Pinecone stand-in where every write becomes visible only after three
 * further reads, and inside a namespace: what the contract reads after {@code settle} must be there.
 */
class PineconeEventualIndexContractTest extends PineconeIndexContractTest {
    @BeforeAll
    static void delayVisibility() {
        server.visibilityDelay(3);
    }

    @Override
    protected String namespace() {
        return "acme";
    }
}
