package dev.srouter.index.pinecone;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The index contract against real Pinecone (or Pinecone Local with {@code PINECONE_HOST}): runs only when
 * {@code PINECONE_API_KEY} is set, e.g. {@code PINECONE_API_KEY=... mvn test -Dtest='PineconeLive*'}.
 * The contract starts every test from an index that does not exist, so each test makes its own
 * serverless index, {@code srouter-live-*}, and deletes it afterwards: expect several minutes.
 */
@EnabledIfEnvironmentVariable(named = "PINECONE_API_KEY", matches = ".+")
class PineconeLiveTest extends VectorIndexContractTest {
    private final List<String> made = new ArrayList<>();

    @Override
    protected VectorIndex newIndex() {
        String name = "srouter-live-" + UUID.randomUUID().toString().substring(0, 8);
        made.add(name);
        return PineconeLiveSupport.open(name, null);
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

    @AfterEach
    void dropIndexes() {
        made.forEach(PineconeLiveSupport::deleteIndex);
    }
}
