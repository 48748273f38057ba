package dev.srouter.cli;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.postgres.PostgresIndex;
import dev.srouter.index.postgres.PostgresLiveSupport;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The sync commands against a real PostgreSQL with pgvector: runs only when {@code POSTGRES_URL} is set. Each test uses
 * its own {@code srouter_live_*} table, dropped afterwards.
 */
@EnabledIfEnvironmentVariable(named = "POSTGRES_URL", matches = ".+")
class PostgresLiveSyncCommandsTest extends SyncCommandsContract {
    private String table;

    @Override
    protected String newIndexSpec(Path dir) {
        table = PostgresLiveSupport.freshTable();
        return "postgres";
    }

    @Override
    protected VectorIndex openIndex() {
        return PostgresIndex.connect(PostgresLiveSupport.url(), table, Clock.systemUTC());
    }

    @Override
    protected CliRunner runner() {
        CliRunner r = super.runner().env("POSTGRES_URL", System.getenv("POSTGRES_URL")).env("SROUTER_INDEX_NAME", table);
        String password = System.getenv("PGPASSWORD");
        return password == null ? r : r.env("PGPASSWORD", password);
    }

    @Override
    protected boolean collidingQdrantIdsAreOneRecord() {
        return false;
    }

    @AfterEach
    void dropTable() throws Exception {
        PostgresLiveSupport.drop(table);
    }
}
