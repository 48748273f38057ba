package dev.srouter.index.qdrant;

import org.junit.jupiter.api.BeforeAll;

/** The namespaced index contract on Qdrant with strict mode on every new collection, as Qdrant Cloud has it. */
class QdrantStrictModeNamespacedIndexContractTest extends QdrantNamespacedIndexContractTest {
    @BeforeAll
    static void strictMode() {
        server.strictMode(FakeQdrantServer.CLOUD_STRICT_MODE);
    }
}
