package dev.srouter.index.postgres;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/** The index contract on a real PostgreSQL with the real pgvector (PGlite), each test in a table of its own. */
class PostgresIndexContractTest extends VectorIndexContractTest {
    private static final AtomicInteger TABLES = new AtomicInteger();
    static PgliteServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgliteServer.shared();
    }

    @Override
    protected VectorIndex newIndex() {
        return PostgresIndex.connect(PostgresUrl.parse(server.postgresUrl(), null), "contract_" + TABLES.incrementAndGet(), Clock.systemUTC());
    }

    @Override
    protected boolean keepsApartRoutesDifferingBySpaceOrDash() {
        return false; // ids are "{route with spaces as -}#..." (semantic-router's); such names are refused before any write
    }
}
