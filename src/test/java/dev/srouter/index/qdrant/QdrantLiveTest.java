package dev.srouter.index.qdrant;

import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The index contract against a real Qdrant: runs only when {@code QDRANT_URL} is set (and
 * {@code QDRANT_API_KEY} when the server needs one), e.g.
 * {@code QDRANT_URL=http://localhost:6334 mvn test -Dtest='QdrantLive*'}. Every collection it makes is
 * named {@code srouter-live-*} and deleted afterwards, with its config entries.
 */
@EnabledIfEnvironmentVariable(named = "QDRANT_URL", matches = ".+")
class QdrantLiveTest extends VectorIndexContractTest {
    private final List<String> made = new ArrayList<>();

    @Override
    protected VectorIndex newIndex() {
        String name = "srouter-live-" + UUID.randomUUID().toString().substring(0, 8);
        made.add(name);
        return QdrantIndex.connect(QdrantEndpoint.parse(QdrantLiveSupport.url()), QdrantLiveSupport.apiKey(), name, null, Clock.systemUTC(), RetryPolicy.defaults());
    }

    @AfterEach
    void dropCollections() throws Exception {
        QdrantLiveSupport.deleteCollections(made);
    }
}
