package dev.srouter.index.postgres;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The index contract against a real PostgreSQL with pgvector: runs only when {@code POSTGRES_URL} is set (the password
 * from it or {@code PGPASSWORD}). Each test uses its own {@code srouter_live_*} table, dropped afterwards.
 */
@EnabledIfEnvironmentVariable(named = "POSTGRES_URL", matches = ".+")
class PostgresLiveTest extends VectorIndexContractTest {
    private final List<String> tables = new ArrayList<>();

    @Override
    protected VectorIndex newIndex() {
        String table = PostgresLiveSupport.freshTable();
        tables.add(table);
        return PostgresIndex.connect(PostgresLiveSupport.url(), table, Clock.systemUTC());
    }

    @Override
    protected boolean keepsApartRoutesDifferingBySpaceOrDash() {
        return false;
    }

    @AfterEach
    void dropTables() throws Exception {
        for (String t : tables) {
            PostgresLiveSupport.drop(t);
        }
    }
}
