package dev.srouter.index.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test PostgreSQL (PGlite with pgvector, served by pglite-socket) driven through the official
 * JDBC driver and pgvector-java, as the postgres index will drive a real server: what works, and
 * the limits of its one backend that tests written against it must respect.
 */
class PgliteServerTest {
    private static PgliteServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PgliteServer.start();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS vector");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(server.jdbcUrl());
        PGvector.registerTypes(c);
        return c;
    }

    @Test
    void theVectorExtensionIsPgvector() throws Exception {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
            assertTrue(rs.next(), "pg_extension has no row for vector after CREATE EXTENSION");
            String version = rs.getString(1);
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), "extversion: " + version);
        }
    }

    @Test
    void insertsInATransactionThenFindsTheNearestByCosineDistanceWithinARoute() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE knn (id text PRIMARY KEY, route text NOT NULL, utterance text NOT NULL,"
                        + " embedding vector(3) NOT NULL)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO knn VALUES (?, ?, ?, ?)")) {
                addRow(insert, "1", "greet", "hello", 1, 0, 0);
                addRow(insert, "2", "greet", "hi there", 0.9f, 0.1f, 0);
                addRow(insert, "3", "greet", "good day", 0, 1, 0);
                addRow(insert, "4", "weather", "is it raining", 1, 0.05f, 0);
                assertArrayEquals(new int[] {1, 1, 1, 1}, insert.executeBatch());
            }
            c.commit();
            c.setAutoCommit(true);

            String nearest = "SELECT id, embedding, embedding <=> ? AS distance FROM knn WHERE route = ?"
                    + " ORDER BY embedding <=> ? LIMIT 2";
            PGvector query = new PGvector(new float[] {1, 0, 0});
            List<String> ids = new ArrayList<>();
            List<Double> distances = new ArrayList<>();
            PGvector first = null;
            try (PreparedStatement ps = c.prepareStatement(nearest)) {
                ps.setObject(1, query);
                ps.setString(2, "greet");
                ps.setObject(3, query);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString("id"));
                        distances.add(rs.getDouble("distance"));
                        if (first == null) first = (PGvector) rs.getObject("embedding");
                    }
                }
            }
            // "weather"'s row is nearer than "hi there" but outside the route; "good day" is orthogonal.
            assertEquals(List.of("1", "2"), ids, "nearest greet rows by cosine distance");
            assertEquals(0.0, distances.get(0), 1e-6, "distance of the identical vector");
            double cosine = 0.9 / Math.sqrt(0.9 * 0.9 + 0.1 * 0.1);
            assertEquals(1 - cosine, distances.get(1), 1e-6, "cosine distance of [0.9,0.1,0]");
            assertArrayEquals(new float[] {1, 0, 0}, first.toArray(), "embedding read back as PGvector");
        }
    }

    @Test
    void aRolledBackTransactionLeavesNoRows() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE rolled (id text PRIMARY KEY, embedding vector(3))");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO rolled VALUES (?, ?)")) {
                insert.setString(1, "a");
                insert.setObject(2, new PGvector(new float[] {1, 2, 3}));
                assertEquals(1, insert.executeUpdate());
            }
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(0, count(c, "SELECT count(*) FROM rolled"), "rows after rollback");
        }
    }

    @Test
    void connectionsOneAfterTheOtherSeeWhatTheFormerCommitted() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE seq (n int)");
        }
        // Back to back, as an index opened and closed per command would: none may be refused.
        for (int n = 1; n <= 20; n++) {
            try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
                ps.setInt(1, n);
                ps.executeUpdate();
            }
        }
        try (Connection c = connect()) {
            assertEquals(20, count(c, "SELECT count(*) FROM seq"), "rows written by 20 connections in turn");
        }
    }

    @Test
    void twoConnectionsAtOnceShareOneBackendAndATransactionHoldsTheOtherBack() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            assertEquals(count(a, "SELECT pg_backend_pid()"), count(b, "SELECT pg_backend_pid()"), "backend pids");
            try (Statement st = a.createStatement()) {
                st.execute("CREATE TABLE shared (n int)");
            }
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.executeUpdate("INSERT INTO shared VALUES (1)");
            }
            // b's statement is queued behind a's open transaction, so it never sees the uncommitted row
            // and never sees an empty table after a's commit either: it runs once a has committed.
            CompletableFuture<Long> seenByB = CompletableFuture.supplyAsync(() -> {
                try {
                    return count(b, "SELECT count(*) FROM shared");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(seenByB.isDone(), "b's query ran while a's transaction was open");
            a.commit();
            assertEquals(1L, seenByB.get(30, TimeUnit.SECONDS), "rows b counted once a committed");
        }
    }

    @Test
    void compareAndSetUpdateReportsZeroRowsWhenTheValueDiffers() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE lock (key text PRIMARY KEY, value text NOT NULL)");
                st.execute("INSERT INTO lock VALUES ('sync', 'free')");
            }
            String cas = "UPDATE lock SET value = ? WHERE key = 'sync' AND value = ?";
            try (PreparedStatement ps = c.prepareStatement(cas)) {
                ps.setString(1, "held-by-a");
                ps.setString(2, "free");
                assertEquals(1, ps.executeUpdate(), "rows updated when the value is the expected one");
                ps.setString(1, "held-by-b");
                ps.setString(2, "free");
                assertEquals(0, ps.executeUpdate(), "rows updated when the value differs");
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT value FROM lock WHERE key = 'sync'")) {
                assertTrue(rs.next());
                assertEquals("held-by-a", rs.getString(1), "value after the failed compare-and-set");
            }
        }
    }

    @Test
    void advisoryLocksWorkButDoNotExcludeAnotherConnection() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            assertTrue(bool(a, "SELECT pg_try_advisory_lock(4242)"), "a takes the free advisory lock");
            // On a real server b would get false; here b is the same session as a, so it re-enters.
            assertTrue(bool(b, "SELECT pg_try_advisory_lock(4242)"), "b takes the lock a holds");
            assertTrue(bool(a, "SELECT pg_advisory_unlock(4242)"), "first unlock");
            assertTrue(bool(b, "SELECT pg_advisory_unlock(4242)"), "second unlock");
            assertFalse(bool(a, "SELECT pg_advisory_unlock(4242)"), "a third unlock of a lock no longer held");
        }
    }

    @Test
    void namedServerStatementsOfOneConnectionMeetTheNextOnes() throws Exception {
        // Why jdbcUrl() sets prepareThreshold=0: the driver's default names a statement S_1 on its
        // fifth run, and S_1 survives the connection on the shared backend.
        String url = server.baseJdbcUrl() + "&prepareThreshold=5";
        try (Connection c = DriverManager.getConnection(url)) {
            runPastThePrepareThreshold(c);
        }
        SQLException e;
        try (Connection c = DriverManager.getConnection(url)) {
            e = assertThrows(SQLException.class, () -> runPastThePrepareThreshold(c));
        } finally {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("DEALLOCATE ALL");
            }
        }
        assertEquals("42P05", e.getSQLState(), "SQLState of " + e.getMessage());
    }

    @Test
    void withOneClientAtATimeASecondClientIsRefused() throws Exception {
        try (PgliteServer single = PgliteServer.start(1); Connection a = DriverManager.getConnection(single.jdbcUrl())) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(single.jdbcUrl()).close());
            assertEquals("08001", e.getSQLState(), "SQLState of " + e.getMessage());
            assertEquals(1L, count(a, "SELECT 1"), "the first client still works");
        }
    }

    private static void runPastThePrepareThreshold(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
            for (int i = 0; i < 6; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            }
        }
    }

    private static void addRow(PreparedStatement insert, String id, String route, String utterance, float... v)
            throws SQLException {
        insert.setString(1, id);
        insert.setString(2, route);
        insert.setString(3, utterance);
        insert.setObject(4, new PGvector(v));
        insert.addBatch();
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "no row from " + sql);
            return rs.getLong(1);
        }
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "no row from " + sql);
            return rs.getBoolean(1);
        }
    }
}
