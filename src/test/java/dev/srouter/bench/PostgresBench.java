package dev.srouter.bench;

import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import dev.srouter.index.postgres.JdbcHooks;
import dev.srouter.index.postgres.PgliteServer;
import dev.srouter.index.postgres.PostgresIndex;
import dev.srouter.index.postgres.PostgresUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.TreeMap;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round trips and wall time of the postgres adapter against the test PostgreSQL (PGlite with pgvector on 127.0.0.1),
 * or the server {@code POSTGRES_URL} names: push 10,000 utterances to a new table, read them all, sync a 1% change.
 * Round trips are the SQL statements the adapter sends (each one round trip with the JDBC driver, COMMIT included),
 * plus the connections it opens. The encoder is SyncBench's fast stand-in, so the times are those of the database.
 *
 * <pre>java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" dev.srouter.bench.PostgresBench</pre>
 */
public final class PostgresBench {
    private PostgresBench() {}

    public static void main(String[] args) throws Exception {
        String live = System.getenv("POSTGRES_URL");
        PgliteServer server = live == null || live.isBlank() ? PgliteServer.start() : null;
        try {
            PostgresUrl url = server == null ? PostgresUrl.parse(live, System.getenv("PGPASSWORD")) : PostgresUrl.parse(server.postgresUrl(), null);
            String table = "bench_" + Long.toHexString(System.nanoTime());
            AtomicInteger connections = new AtomicInteger();
            PostgresIndex.Connector counting = () -> {
                connections.incrementAndGet();
                return Wire.counted(DriverManager.getConnection(url.jdbcUrl(), url.properties()));
            };
            System.out.printf(Locale.ROOT, "%s, table %s%n", server == null ? "PostgreSQL at " + url : "PGlite (test server) on 127.0.0.1", table);
            SyncBench.HashEncoder encoder = new SyncBench.HashEncoder();
            try (PostgresIndex index = PostgresIndex.connect(url, table, Clock.systemUTC(), counting)) {
                LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
                SyncService service = new SyncService(index, encoder, Clock.systemUTC(), SyncService.DEFAULT_BATCH, "bench", m -> {});
                Counts push = Counts.of(index);
                index.create(384);
                sync(service, lock, SyncBench.routes(0));
                report("push of 10,000 utterances to a new table (create, lease, batches of 500)", push, index, connections.getAndSet(0),
                        encoder.texts.get());

                // A new process diffing the in-sync table: the fast path, then a full read.
                for (boolean fastPath : new boolean[] {true, false}) {
                    try (PostgresIndex fresh = PostgresIndex.connect(url, table, Clock.systemUTC(), counting)) {
                        Counts diff = Counts.of(fresh);
                        SyncService.Comparison c = new SyncService(fresh, null, Clock.systemUTC(), 500, "bench", m -> {})
                                .compare(SyncBench.routes(0), SyncStrategy.MERGE, fastPath);
                        report(fastPath ? "diff of the in-sync table, fast path (manifest hash matches)"
                                : "diff reading all " + c.remoteRecords() + " records", diff, fresh, connections.getAndSet(0), 0);
                    }
                }

                int before = encoder.texts.get();
                Counts change = Counts.of(index);
                SyncService.Applied applied = sync(service, lock, SyncBench.routes(100));
                report("sync of a 1% change: " + applied.upserted() + " upserted, " + applied.deleted() + " deleted", change, index,
                        connections.getAndSet(0), encoder.texts.get() - before);
            }
            if (server == null) {
                try (var c = DriverManager.getConnection(url.jdbcUrl(), url.properties()); var st = c.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS " + table + ", " + table + "_srouter_config, " + table + "_srouter_payload");
                }
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static SyncService.Applied sync(SyncService service, LeaseLock lock, RouteSet local) {
        try (LeaseLock.Held lease = lock.acquire("bench", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, true);
            return service.applyRemote(c.plan(), lease, false);
        }
    }

    /** What an index object had counted at the start of a measurement. */
    private record Counts(long t0, int statements, int transactions, int reads, int writes) {
        static Counts of(PostgresIndex index) {
            return new Counts(System.nanoTime(), index.statements(), index.transactions(), index.readCalls(), index.writeCalls());
        }
    }

    private static void report(String what, Counts before, PostgresIndex index, int connections, int embedded) {
        System.out.printf(Locale.ROOT, "%s: %.0f ms, %d statements (%d write transactions), %d connection(s) opened, "
                        + "%d reads and %d writes through the port, %d texts embedded%n    sent: %s%n",
                what, (System.nanoTime() - before.t0()) / 1e6, index.statements() - before.statements(),
                index.transactions() - before.transactions(), connections, index.readCalls() - before.reads(),
                index.writeCalls() - before.writes(), embedded, Wire.drain());
    }

    /** Counts, at the JDBC boundary, each statement executed and each commit, by its kind (first words and table). */
    static final class Wire {
        private static final Map<String, Integer> SENT = new TreeMap<>();

        static synchronized String drain() {
            String out = SENT.toString();
            SENT.clear();
            return out;
        }

        private static synchronized void count(String sql) {
            String kind = sql.strip().replaceAll("\\s+", " ");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\w+(?: \\w+)?).*?(?:(?:FROM|INTO|TABLE|UPDATE|ON) (\\w+))?").matcher(kind);
            String key = m.lookingAt() ? m.group(1) + (m.group(2) == null ? "" : " " + m.group(2).replaceAll("bench_[0-9a-f]+", "t")) : kind;
            SENT.merge(key, 1, Integer::sum);
        }

        static Connection counted(Connection real) {
            return JdbcHooks.intercept(real, (sql, method) -> count(sql));
        }
    }
}
