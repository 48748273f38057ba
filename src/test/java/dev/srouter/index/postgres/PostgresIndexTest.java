package dev.srouter.index.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.RecordIds;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the contract does not cover: the table is semantic-router 0.1.x's ({@code semantic_router/index/postgres.py}), a
 * table it made and filled is srouter's to read and sync, rows of its async path (random ids) are handled, filtered
 * queries stay exact on an HNSW index, a broken write leaves nothing, the lock is atomic across connections.
 */
class PostgresIndexTest {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static PgliteServer server;
    private String table;
    private Connection sql;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgliteServer.shared();
    }

    @BeforeEach
    void open() throws SQLException {
        table = "layout_" + TABLES.incrementAndGet();
        sql = DriverManager.getConnection(server.jdbcUrl());
    }

    @AfterEach
    void close() throws SQLException {
        sql.close();
    }

    private PostgresIndex index() {
        return PostgresIndex.connect(url(), table, Clock.systemUTC());
    }

    private static PostgresUrl url() {
        return PostgresUrl.parse(server.postgresUrl(), null);
    }

    @Test
    void theTableIsTheOneSemanticRouterMakes() throws Exception {
        try (PostgresIndex index = index()) {
            index.create(3);
        }
        // Columns as _init_index creates them: id VARCHAR(255) PRIMARY KEY, route VARCHAR(255), utterance TEXT, vector VECTOR(d).
        List<String> columns = strings("SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                + "WHERE a.attrelid = '" + table + "'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
        assertEquals(List.of("id character varying(255)", "route character varying(255)", "utterance text", "vector vector(3)"), columns);
        assertEquals(List.of(table + "_pkey"), strings("SELECT conname FROM pg_constraint WHERE conrelid = '" + table
                + "'::regclass AND contype = 'p'"));
        // _check_embeddings_dimensions reads the dimension from the vector column's comment.
        assertEquals(List.of("3"), strings("SELECT col_description('" + table + "'::regclass, attnum) FROM pg_attribute "
                + "WHERE attrelid = '" + table + "'::regclass AND attname = 'vector'"));
        // _create_route_index and _create_index with the default IndexType.FLAT: ivfflat, one list.
        List<String> indexes = strings("SELECT indexdef FROM pg_indexes WHERE tablename = '" + table + "' ORDER BY indexname");
        assertTrue(indexes.contains("CREATE INDEX " + table + "_route_idx ON public." + table + " USING btree (route)"), indexes.toString());
        assertTrue(indexes.contains("CREATE INDEX " + table + "_vector_idx ON public." + table
                + " USING ivfflat (vector vector_cosine_ops) WITH (lists='1')"), indexes.toString());
        // srouter's own tables beside it, which semantic-router never reads.
        assertEquals(List.of(table + "_srouter_config", table + "_srouter_payload"), strings("SELECT tablename FROM pg_tables "
                + "WHERE tablename LIKE '" + table + "_srouter%' ORDER BY tablename"));
    }

    @Test
    void aTableSemanticRouterMadeAndFilledIsReadQueriedAndSynced() throws Exception {
        semanticRouterInitIndex(3);
        // PostgresIndex.add: its ids, route and utterance as given, no metadata.
        semanticRouterAdd("politics", "isn't politics the best thing ever", "[1,0,0]");
        semanticRouterAdd("chitchat", "how's the weather today?", "[0,1,0]");
        try (PostgresIndex index = index()) {
            assertEquals(new dev.srouter.index.VectorIndex.IndexInfo(true, 2, 3, "cosine"), index.describe());
            assertEquals(Set.of(new StoredRecord("politics", "isn't politics the best thing ever", Map.of(), List.of()),
                    new StoredRecord("chitchat", "how's the weather today?", Map.of(), List.of())), new HashSet<>(readAll(index)));
            assertEquals(java.util.Optional.empty(), index.readConfig("sr_hash"), "semantic-router writes no config on PostgreSQL");
            List<Hit> hits = index.query(new float[] {0.8f, 0.6f, 0}, 2, Set.of());
            assertEquals(List.of("politics", "chitchat"), hits.stream().map(Hit::route).toList());
            assertEquals(0.8, hits.get(0).score(), 1e-6);

            // srouter's writes land where semantic-router looks: its ids, its columns, found by its query.
            index.upsert(List.of(new VectorRecord("politics", "who will win the election", new float[] {0, 0, 1}, Map.of("tier", "a"),
                    List.of())));
            index.writeConfig("sr_hash", "abc");
        }
        assertEquals(List.of(RecordIds.postgresRecordId("politics", "who will win the election")),
                strings("SELECT id FROM " + table + " WHERE utterance = 'who will win the election'"));
        // PostgresIndex.query, as it builds the SQL: route and score of the top_k.
        assertEquals(List.of("politics 1"), strings("SELECT route || ' ' || (1 - (vector <=> '[0,0,1]'))::text AS score FROM " + table
                + " WHERE true ORDER BY vector <=> '[0,0,1]' LIMIT 1"));
        // _get_all(include_metadata=True): what semantic-router reads back.
        assertEquals(3, strings("SELECT id || route || utterance FROM " + table).size());
        assertEquals(List.of("abc"), strings("SELECT value FROM " + table + "_srouter_config WHERE field = 'sr_hash'"));
    }

    @Test
    void rowsUnderRandomIdsAreReadReplacedAdoptedAndDeleted() throws Exception {
        semanticRouterInitIndex(3);
        // PostgresIndex.aadd writes str(uuid.uuid4()) ids.
        for (String u : List.of("hi", "hello", "bye")) {
            execute("INSERT INTO " + table + " (id, route, utterance, vector) VALUES ('" + UUID.randomUUID() + "', 'greet', '" + u
                    + "', '[1,0,0]')");
        }
        try (PostgresIndex index = index()) {
            assertEquals(Set.of("hi", "hello", "bye"), utterances(readAll(index)));
            index.upsert(List.of(new VectorRecord("greet", "hi", new float[] {0, 1, 0}, Map.of(), List.of())));
            assertEquals(List.of(RecordIds.postgresRecordId("greet", "hi")), strings("SELECT id FROM " + table + " WHERE utterance = 'hi'"),
                    "the random-id row gave way to the deterministic one");
            index.updatePayload(List.of(new StoredRecord("greet", "hello", Map.of("k", "v"), List.of())));
            assertEquals(List.of(RecordIds.postgresRecordId("greet", "hello")),
                    strings("SELECT id FROM " + table + " WHERE utterance = 'hello'"), "a payload update adopts the deterministic id");
            assertEquals(Map.of("k", "v"), readAll(index).stream().filter(r -> r.utterance().equals("hello")).findFirst().orElseThrow()
                    .metadata());
            index.delete(List.of(new RecordKey("greet", "bye")));
            assertEquals(Set.of("hi", "hello"), utterances(readAll(index)), "deleted by (route, utterance), whatever its id");
            assertEquals(2, index.describe().count());
        }
    }

    @Test
    void aFilteredQueryOnAnHnswIndexStillFindsTopK() throws Exception {
        semanticRouterInitIndex(3);
        execute("DROP INDEX " + table + "_vector_idx");
        // IndexType.HNSW. With 10,000 rows of another route nearer the query, the planner takes the HNSW index for a filter
        // on the 1,000 others, and its scan stops after hnsw.ef_search (40) candidates, all of which the filter drops:
        // without pgvector 0.8's iterative scan the answer is no row at all.
        execute("INSERT INTO " + table + " (id, route, utterance, vector) SELECT 'near' || i, 'near', 'n' || i, "
                + "('[1,' || (i / 10000.0) || ',' || (i % 7) / 70.0 || ']')::vector FROM generate_series(1, 10000) i");
        execute("INSERT INTO " + table + " (id, route, utterance, vector) SELECT 'far' || i, 'far', 'f' || i, "
                + "('[' || (i / 1000.0) || ',1,0]')::vector FROM generate_series(1, 1000) i");
        execute("CREATE INDEX " + table + "_vector_idx ON " + table + " USING hnsw (vector vector_cosine_ops)");
        execute("ANALYZE " + table);
        try (PostgresIndex index = index()) {
            List<Hit> hits = index.query(new float[] {1, 0, 0}, 5, Set.of("far"));
            assertEquals(List.of("far", "far", "far", "far", "far"), hits.stream().map(Hit::route).toList(), hits.toString());
            List<List<Hit>> batch = index.queryBatch(List.of(new float[] {1, 0, 0}, new float[] {0, 1, 0}), 5, Set.of("far"));
            assertEquals(List.of(5, 5), batch.stream().map(List::size).toList());
            assertTrue(index.query(new float[] {1, 0, 0}, 5, Set.of()).stream().allMatch(h -> h.route().equals("near")));
        }
    }

    @Test
    void aWriteThatBreaksMidwayLeavesNothingAndTheNextCallReconnects() throws Exception {
        AtomicInteger updates = new AtomicInteger();
        AtomicInteger breakAt = new AtomicInteger(-1);
        PostgresIndex.Connector breaking = () -> breakingConnection(DriverManager.getConnection(server.jdbcUrl()), updates, breakAt);
        try (PostgresIndex index = PostgresIndex.connect(url(), table, Clock.systemUTC(), breaking)) {
            index.create(3);
            index.upsert(List.of(record("a", "one", 1, 0, 0)));
            List<VectorRecord> many = new ArrayList<>();
            for (int i = 0; i < PostgresIndex.ROWS_PER_STATEMENT + 10; i++) {
                many.add(record("b", "u" + i, 0, 1, i));
            }
            // Each chunk sends a DELETE, an INSERT and a payload INSERT: break at the second chunk's DELETE, when the first
            // chunk's rows were sent already, inside the transaction.
            breakAt.set(updates.get() + 4);
            SrouterException e = assertThrows(SrouterException.class, () -> index.upsert(many));
            assertEquals(4, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("unreachable") && e.getMessage().contains(table), e.getMessage());
            assertEquals(List.of("1"), strings("SELECT count(*) FROM " + table), "the transaction rolled back whole");
            index.upsert(many);
            assertEquals(1 + many.size(), index.describe().count(), "a new connection, and the rerun converges");
        }
    }

    @Test
    void compareAndSetIsAtomicAcrossConnections() throws Exception {
        try (PostgresIndex setup = index()) {
            setup.create(3);
            setup.writeConfig("sr_lock", "False");
        }
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String me = "owner-" + i;
                tries.add(() -> {
                    try (PostgresIndex index = index()) {
                        return index.compareAndSetConfig("sr_lock", "False", me);
                    }
                });
            }
            int won = 0;
            for (Future<Boolean> f : pool.invokeAll(tries)) {
                won += f.get() ? 1 : 0;
            }
            assertEquals(1, won, "exactly one writer takes the lock");
        } finally {
            pool.shutdownNow();
        }
        try (PostgresIndex index = index()) {
            String holder = index.readConfig("sr_lock").orElseThrow().value();
            assertTrue(holder.startsWith("owner-"), holder);
            assertFalse(index.compareAndSetConfig("sr_lock", null, "x"), "expected absent, but it is there");
            assertTrue(index.compareAndSetConfig("sr_absent", null, "x"));
            assertEquals("x", index.readConfig("sr_absent").orElseThrow().value());
        }
    }

    @Test
    void aFullReadTakesOneStatementPerPageAndAPushOneTransaction() throws Exception {
        try (PostgresIndex index = index()) {
            index.create(3);
            List<VectorRecord> records = new ArrayList<>();
            for (int i = 0; i < 2500; i++) {
                records.add(record("r" + (i % 7), "utterance " + i, 1, i, 0));
            }
            int before = index.transactions();
            index.upsert(records);
            assertEquals(before + 1, index.transactions(), "one upsert, one transaction");
            int statements = index.statements();
            List<StoredRecord> all = readAll(index, 1000);
            assertEquals(2500, all.size());
            assertEquals(2500, new HashSet<>(all).size());
            // One SELECT per page, and the table's check before the first; the third page is short (500), so it is the last.
            assertEquals(1 + 3, index.statements() - statements);
        }
    }

    @Test
    void aTableThatIsNoIndexOrHasAnotherDimensionIsRefusedNamingIt() throws Exception {
        execute("CREATE TABLE " + table + " (id text PRIMARY KEY, route text, utterance text)");
        try (PostgresIndex index = index()) {
            SrouterException e = assertThrows(SrouterException.class, index::describe);
            assertTrue(e.getMessage().contains("is not a semantic-router index") && e.getMessage().contains(table), e.getMessage());
        }
        table = "layout_" + TABLES.incrementAndGet();
        try (PostgresIndex index = index()) {
            index.create(3);
            SrouterException e = assertThrows(SrouterException.class, () -> index.create(5));
            assertTrue(e.getMessage().contains("dimension 3") && e.getMessage().contains("not 5"), e.getMessage());
            SrouterException v = assertThrows(SrouterException.class, () -> index.upsert(List.of(record("a", "b", 1, 0, 0, 0))));
            assertTrue(v.getMessage().contains("dimension 4") && v.getMessage().contains("dimension 3"), v.getMessage());
        }
        assertThrows(SrouterException.class, () -> PostgresIndex.connect(url(), "Semantic-Router", Clock.systemUTC()));
        assertEquals(PostgresIndex.DEFAULT_TABLE, PostgresIndex.tableName("semantic-router-index"));
    }

    @Test
    void routeNamesTheTableCannotHoldAreRefusedBeforeAnyWrite() throws Exception {
        try (PostgresIndex index = index()) {
            index.create(3);
            String longest = "r".repeat(PostgresIndex.MAX_COLUMN_CHARS - 37);
            index.upsert(List.of(record(longest, "fits", 1, 0, 0)));
            for (String bad : List.of(longest + "r", "nul\0route")) {
                SrouterException e = assertThrows(SrouterException.class, () -> index.upsert(List.of(record(bad, "u", 1, 0, 0))));
                assertEquals(1, e.exitCode(), e.getMessage());
            }
            assertThrows(SrouterException.class, () -> index.checkRouteNames(List.of(" faq", "faq")), "Python's strip() makes one id");
            SrouterException nul = assertThrows(SrouterException.class, () -> index.upsert(List.of(record("ok", "nul\0here", 1, 0, 0))));
            assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
            assertEquals(1, index.describe().count());
        }
    }

    // ---- semantic-router 0.1.x's own SQL (semantic_router/index/postgres.py), replayed ----

    private void semanticRouterInitIndex(int dimensions) throws SQLException {
        execute("CREATE EXTENSION IF NOT EXISTS vector");
        execute("CREATE TABLE IF NOT EXISTS " + table + " (id VARCHAR(255) PRIMARY KEY, route VARCHAR(255), utterance TEXT, "
                + "vector VECTOR(" + dimensions + "))");
        execute("COMMENT ON COLUMN " + table + ".vector IS '" + dimensions + "'");
        execute("CREATE INDEX IF NOT EXISTS " + table + "_route_idx ON " + table + " USING btree (route)");
        execute("CREATE INDEX IF NOT EXISTS " + table + "_vector_idx ON " + table + " USING ivfflat (vector vector_cosine_ops) "
                + "WITH (lists = 1)");
    }

    private void semanticRouterAdd(String route, String utterance, String vector) throws SQLException {
        try (PreparedStatement st = sql.prepareStatement("INSERT INTO " + table + " (id, route, utterance, vector) VALUES (?, ?, ?, ?::vector) "
                + "ON CONFLICT (id) DO NOTHING")) {
            st.setString(1, RecordIds.postgresRecordId(route, utterance));
            st.setString(2, route);
            st.setString(3, utterance);
            st.setString(4, vector);
            st.executeUpdate();
        }
    }

    // ---- helpers ----

    private static VectorRecord record(String route, String utterance, float... v) {
        return new VectorRecord(route, utterance, v, Map.of(), List.of());
    }

    private static List<StoredRecord> readAll(PostgresIndex index) {
        return readAll(index, 1000);
    }

    private static List<StoredRecord> readAll(PostgresIndex index, int pageSize) {
        List<StoredRecord> all = new ArrayList<>();
        String token = null;
        do {
            RecordPage page = index.read(token, pageSize);
            all.addAll(page.records());
            token = page.nextPageToken();
        } while (token != null);
        return all;
    }

    private static Set<String> utterances(List<StoredRecord> records) {
        Set<String> out = new HashSet<>();
        records.forEach(r -> out.add(r.utterance()));
        return out;
    }

    private void execute(String statement) throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute(statement);
        }
    }

    private List<String> strings(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A connection that, at its {@code breakAt}-th executeUpdate, closes itself (the server rolls back) and fails as a lost one does. */
    private static Connection breakingConnection(Connection real, AtomicInteger updates, AtomicInteger breakAt) {
        return JdbcHooks.intercept(real, (statement, method) -> {
            if (method.equals("executeUpdate") && updates.incrementAndGet() == breakAt.get()) {
                real.close();
                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
            }
        });
    }

    @Test
    void aMissingTableReadsAsEmptyWithoutCreatingAnything() throws Exception {
        try (PostgresIndex index = index()) {
            assertFalse(index.describe().exists());
            assertNull(index.read(null, 10).nextPageToken());
            index.delete(List.of(new RecordKey("a", "b")));
        }
        assertEquals(List.of(), strings("SELECT tablename FROM pg_tables WHERE tablename LIKE '" + table + "%'"));
    }
}
