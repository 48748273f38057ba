package dev.srouter.cli;

import dev.srouter.index.qdrant.FakeQdrantServer;
import org.junit.jupiter.api.BeforeAll;

/** The sync commands against a Qdrant whose new collections are in strict mode, as on Qdrant Cloud. */
class QdrantStrictModeSyncCommandsTest extends QdrantSyncCommandsTest {
    @BeforeAll
    static void strictMode() {
        server.strictMode(FakeQdrantServer.CLOUD_STRICT_MODE);
    }
}
