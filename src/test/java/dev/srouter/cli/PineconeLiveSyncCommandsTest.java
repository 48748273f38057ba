package dev.srouter.cli;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.pinecone.PineconeLiveSupport;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The sync commands against real Pinecone (or Pinecone Local with {@code PINECONE_HOST}): runs only when
 * {@code PINECONE_API_KEY} is set. The tests share one serverless index, {@code srouter-live-cli-*}, each
 * in a namespace of its own; it is deleted at the end.
 */
@EnabledIfEnvironmentVariable(named = "PINECONE_API_KEY", matches = ".+")
class PineconeLiveSyncCommandsTest extends SyncCommandsContract {
    private static final String INDEX = "srouter-live-cli-" + UUID.randomUUID().toString().substring(0, 8);
    private String namespace;

    @Override
    protected String newIndexSpec(Path dir) {
        namespace = "ns-" + UUID.randomUUID().toString().substring(0, 8);
        return "pinecone";
    }

    @Override
    protected VectorIndex openIndex() {
        return PineconeLiveSupport.open(INDEX, namespace);
    }

    @Override
    protected boolean sharesOneIndexBetweenTests() {
        return true;
    }

    @Override
    protected boolean indexExists() {
        try (VectorIndex idx = openIndex()) {
            return idx.describe().count() > 0;
        }
    }

    @Override
    protected CliRunner runner() {
        CliRunner r = super.runner().env("PINECONE_API_KEY", PineconeLiveSupport.apiKey()).env("SROUTER_INDEX_NAME", INDEX)
                .env("SROUTER_NAMESPACE", namespace);
        return PineconeLiveSupport.host() == null ? r : r.env("PINECONE_HOST", PineconeLiveSupport.host());
    }

    @AfterAll
    static void dropIndex() {
        PineconeLiveSupport.deleteIndex(INDEX);
    }

    /** Pinecone's ids are {@code "{route}#{sha256 of the utterance}"}: those records do not collide. */
    @Override
    protected boolean collidingQdrantIdsAreOneRecord() {
        return false;
    }
}
