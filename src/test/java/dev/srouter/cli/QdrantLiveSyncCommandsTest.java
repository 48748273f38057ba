package dev.srouter.cli;

import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.qdrant.QdrantEndpoint;
import dev.srouter.index.qdrant.QdrantIndex;
import dev.srouter.index.qdrant.QdrantLiveSupport;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The sync commands against a real Qdrant: runs only when {@code QDRANT_URL} is set (and
 * {@code QDRANT_API_KEY} when needed). Each test uses its own {@code srouter-live-*} collection, deleted afterwards.
 */
@EnabledIfEnvironmentVariable(named = "QDRANT_URL", matches = ".+")
class QdrantLiveSyncCommandsTest extends SyncCommandsContract {
    private String collection;

    @Override
    protected String newIndexSpec(Path dir) {
        collection = "srouter-live-" + UUID.randomUUID().toString().substring(0, 8);
        return "qdrant";
    }

    @Override
    protected VectorIndex openIndex() {
        return QdrantIndex.connect(QdrantEndpoint.parse(System.getenv("QDRANT_URL")), System.getenv("QDRANT_API_KEY"), collection, null,
                Clock.systemUTC(), RetryPolicy.defaults());
    }

    @Override
    protected CliRunner runner() {
        CliRunner r = super.runner().env("QDRANT_URL", System.getenv("QDRANT_URL")).env("SROUTER_INDEX_NAME", collection);
        String key = System.getenv("QDRANT_API_KEY");
        return key == null ? r : r.env("QDRANT_API_KEY", key);
    }

    @AfterEach
    void dropCollection() throws Exception {
        QdrantLiveSupport.deleteCollections(List.of(collection));
    }
}
