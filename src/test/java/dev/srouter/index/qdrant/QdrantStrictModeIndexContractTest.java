package dev.srouter.index.qdrant;

import org.junit.jupiter.api.BeforeAll;

/** The index contract on Qdrant with strict mode on every new collection, as Qdrant Cloud has it. */
class QdrantStrictModeIndexContractTest extends QdrantIndexContractTest {
    @BeforeAll
    static void strictMode() {
        server.strictMode(FakeQdrantServer.CLOUD_STRICT_MODE);
    }
}
