package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.cli.CliRunner.Result;
import dev.srouter.index.RemoteIndexTesting;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.postgres.PgliteServer;
import dev.srouter.index.postgres.PostgresIndex;
import dev.srouter.index.postgres.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sync commands against {@code --index postgres}: a real PostgreSQL with pgvector (PGlite) on 127.0.0.1, found
 * through POSTGRES_URL as a CI job would set it, each test in a table of its own.
 */
class PostgresSyncCommandsTest extends SyncCommandsContract {
    private static final AtomicInteger TABLES = new AtomicInteger();
    static PgliteServer server;
    private String table;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgliteServer.shared();
    }

    @Override
    protected String newIndexSpec(Path dir) {
        table = "cli_" + TABLES.incrementAndGet();
        return "postgres";
    }

    @Override
    protected VectorIndex openIndex() {
        return PostgresIndex.connect(PostgresUrl.parse(server.postgresUrl(), null), table, Clock.systemUTC());
    }

    @Override
    protected CliRunner runner() {
        return super.runner().env("POSTGRES_URL", server.postgresUrl()).env("SROUTER_INDEX_NAME", table);
    }

    /** The ids are {@code "{route}#{uuid5(uuid5(DNS, route), utterance)}"}: those records do not collide. */
    @Override
    protected boolean collidingQdrantIdsAreOneRecord() {
        return false;
    }

    @Test
    void routesThatWouldShareIdsAreRefusedBeforeAnyWrite() throws Exception {
        // semantic-router strips the name and turns spaces into dashes: both routes' ids begin "customer-support#".
        Files.writeString(routes, "routes:\n  - name: customer support\n    utterances:\n      - where is my order\n"
                + "  - name: customer-support\n    utterances:\n      - where is my order\n");
        Result push = runner().run("push", "--routes=" + routes, "--index", "postgres", "--yes");
        assertEquals(1, push.exit(), push.toString());
        assertTrue(push.err().contains("'customer support' and 'customer-support' would share PostgreSQL record ids"), push.toString());
        assertFalse(indexExists(), "refused before anything was written, even the table");
    }

    @Test
    void aNamespaceIsRefusedAndTheMissingUrlIsNamed() {
        Result ns = runner().run("diff", "--routes=" + routes, "--index", "postgres", "--namespace", "acme");
        assertEquals(64, ns.exit(), ns.toString());
        assertTrue(ns.err().contains("no namespaces") && ns.err().contains("--index-name"), ns.toString());
        Result noUrl = super.runner().run("diff", "--routes=" + routes, "--index", "postgres");
        assertEquals(64, noUrl.exit(), noUrl.toString());
        assertTrue(noUrl.err().contains("POSTGRES_URL") && noUrl.err().contains("--postgres-url"), noUrl.toString());
        Result badName = runner().env("SROUTER_INDEX_NAME", "My-Routes").run("diff", "--routes=" + routes, "--index", "postgres");
        assertEquals(64, badName.exit(), badName.toString());
        assertTrue(badName.err().contains("'My-Routes' cannot name a PostgreSQL index table"), badName.toString());
    }

    @Test
    void thePasswordIsNeverPrinted() {
        String secret = "s3cr3t-pw-91c2";
        String url = server.postgresUrl().replace("postgres@", "postgres:" + secret + "@");
        Result push = runner().env("POSTGRES_URL", url).run("push", "--routes=" + routes, "--index", "postgres", "--yes", "-v");
        assertEquals(0, push.exit(), push.toString());
        Result status = runner().env("POSTGRES_URL", url).run("status", "--routes=" + routes, "--index", "postgres", "-o", "json");
        assertEquals(0, status.exit(), status.toString());
        Result unreachable = runner().env("POSTGRES_URL", "postgresql://me:" + secret + "@127.0.0.1:" + RemoteIndexTesting.unusedPort() + "/db")
                .run("diff", "--routes=" + routes, "--index", "postgres", "-v");
        assertEquals(4, unreachable.exit(), unreachable.toString());
        assertTrue(unreachable.err().contains("unreachable"), unreachable.toString());
        for (Result r : List.of(push, status, unreachable)) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), "password printed: " + r);
        }
    }

}
