package dev.srouter.index.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.srouter.core.Batches;
import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.CreatedAt;
import dev.srouter.index.FaultInjectable;
import dev.srouter.index.RecordIds;
import dev.srouter.index.VectorIndex;
import java.io.IOException;
import java.net.ConnectException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code postgres} index: PostgreSQL with the pgvector extension, over the official JDBC driver, in the layout of
 * semantic-router 0.1.x's {@code PostgresIndex} ({@code semantic_router/index/postgres.py}) so that a Python service and
 * srouter can share one table (docs/postgres.md):
 *
 * <ul>
 *   <li>table {@code semantic_router_index} (its {@code index_prefix} + {@code index_name}; {@code --index-name} names
 *       it), columns {@code id VARCHAR(255) PRIMARY KEY, route VARCHAR(255), utterance TEXT, vector VECTOR(d)}, the
 *       dimension also in the vector column's comment (semantic-router checks it there), a btree index
 *       {@code {table}_route_idx} on route and an IVFFlat index {@code {table}_vector_idx} with one list (its
 *       {@code IndexType.FLAT}), cosine distance {@code <=>}, score {@code 1 - distance};
 *   <li>ids {@link RecordIds#postgresRecordId}; rows its async {@code aadd} wrote under random {@code uuid4} ids are read,
 *       replaced and deleted by (route, utterance) like any other;
 *   <li>semantic-router 0.1.x stores no metadata and no config on PostgreSQL ({@code _write_config} only logs). srouter
 *       keeps what it needs in two tables of its own, which semantic-router never reads: {@code {table}_srouter_config}
 *       (field, value, created_at: {@code sr_hash}, {@code sr_lock}, the manifest and the lease) and
 *       {@code {table}_srouter_payload} (a record's metadata and function schemas as JSON, by record id).
 * </ul>
 *
 * <p>Every write is one transaction; the lock is a compare-and-set {@code UPDATE ... WHERE value = expected} (or an
 * {@code INSERT ... ON CONFLICT DO NOTHING} when the entry is expected absent), atomic in PostgreSQL, whose row outlives
 * the connection that wrote it as the lease must. One connection per index object, opened on first use and opened
 * again after it broke; reads that fail on a broken connection are tried once more on a new one, writes are not (the
 * transaction rolled back, or its commit's fate is unknown: the sync reruns).
 */
public final class PostgresIndex implements VectorIndex, FaultInjectable {
    /** semantic-router 0.1.x's table: {@code index_prefix} "semantic_router_" + {@code index_name} "index". */
    public static final String DEFAULT_TABLE = "semantic_router_index";
    /** Unquoted identifiers that fold to themselves, short enough for the suffixes of the tables and indexes made beside. */
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,46}");
    /** semantic-router's {@code VARCHAR(255)} id and route columns (PostgreSQL counts characters). */
    static final int MAX_COLUMN_CHARS = 255;
    /** "#" and a UUID after the route part of an id. */
    private static final int ID_SUFFIX_CHARS = 37;
    /** Rows per INSERT or DELETE statement: one round trip each, a few MB at most with 1,536-dimensional vectors. */
    static final int ROWS_PER_STATEMENT = 500;
    /** Query vectors per statement of {@link #queryBatch}. */
    static final int QUERIES_PER_STATEMENT = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VECTOR_TYPE = Pattern.compile("vector\\((\\d+)\\)");

    /** Opens connections; a test wraps it to break one mid-write. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final PostgresUrl url;
    private final String table;
    private final String configTable;
    private final String payloadTable;
    private final Clock clock;
    private Connection connection;
    /** The vector column's dimension once seen; -1 until then. */
    private int knownDimension = -1;
    /** pgvector's version once read (iterative index scans need 0.8); null until then. */
    private String pgvectorVersion;
    /** srouter's tables this object has seen exist (srouter never drops one). */
    private final Set<String> knownTables = new java.util.HashSet<>();
    /** Tables made by the write transaction in progress, known once it commits. */
    private final Set<String> pendingTables = new java.util.HashSet<>();
    private int failAfterWrites = -1;
    private int writeCalls;
    private int readCalls;
    private int statements;
    private int transactions;

    private PostgresIndex(Connector connector, PostgresUrl url, String table, Clock clock) {
        this.connector = connector;
        this.url = url;
        this.table = table;
        this.configTable = table + "_srouter_config";
        this.payloadTable = table + "_srouter_payload";
        this.clock = clock;
    }

    /** The index on table {@code table} of the server at {@code url}; nothing is sent until the first call. */
    public static PostgresIndex connect(PostgresUrl url, String table, Clock clock) {
        return connect(url, table, clock, () -> DriverManager.getConnection(url.jdbcUrl(), url.properties()));
    }

    /** {@link #connect} with connections from {@code connector}, for tests that break them. */
    public static PostgresIndex connect(PostgresUrl url, String table, Clock clock, Connector connector) {
        checkTableName(table);
        return new PostgresIndex(connector, url, table, clock);
    }

    /** The table name {@code --index-name} gives: semantic-router's default name stands for its default table. */
    public static String tableName(String indexName) {
        return indexName == null || indexName.isBlank() || indexName.equals("semantic-router-index") ? DEFAULT_TABLE : indexName;
    }

    static void checkTableName(String table) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) {
            throw SrouterException.usage("'" + table + "' cannot name a PostgreSQL index table: use lower-case letters, digits and _, "
                    + "not starting with a digit, at most 47 characters (semantic-router writes the name unquoted, so it must fold "
                    + "to itself; e.g. --index-name semantic_router_index)");
        }
    }

    // ---- table ----

    @Override
    public synchronized IndexInfo describe() {
        readCalls++;
        return read("describe " + table, c -> {
            Optional<Integer> dimension = vectorColumn(c);
            if (dimension.isEmpty()) {
                return IndexInfo.missing();
            }
            long count;
            try (Statement st = c.createStatement(); ResultSet rs = query(st, "SELECT count(*) FROM " + table)) {
                rs.next();
                count = rs.getLong(1);
            }
            return new IndexInfo(true, count, dimension.get(), metric(c));
        });
    }

    /**
     * The vector column's dimension, from its type {@code vector(d)}; empty when the table does not exist. A table
     * without such a column is not an index of this layout, and an error.
     */
    private Optional<Integer> vectorColumn(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL, (SELECT format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attname = 'vector' AND NOT a.attisdropped)")) {
            st.setString(1, table);
            st.setString(2, table);
            try (ResultSet rs = query(st)) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.empty();
                }
                String type = rs.getString(2);
                Matcher m = type == null ? null : VECTOR_TYPE.matcher(type);
                if (m == null || !m.matches()) {
                    throw SrouterException.failure("table " + table + " at " + url + " is not a semantic-router index: it has no column "
                            + "vector of type vector(N)" + (type == null ? "" : " (its vector column is " + type + ")")
                            + "; choose another --index-name");
                }
                knownDimension = Integer.parseInt(m.group(1));
                return Optional.of(knownDimension);
            }
        }
    }

    /** The metric of the table's vector index ({@code cosine} when it has none: srouter searches with {@code <=>}). */
    private String metric(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT o.opcname FROM pg_index x JOIN pg_opclass o ON o.oid = x.indclass[0] "
                + "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] "
                + "WHERE x.indrelid = to_regclass(?) AND a.attname = 'vector' ORDER BY x.indexrelid")) {
            st.setString(1, table);
            try (ResultSet rs = query(st)) {
                while (rs.next()) {
                    String metric = switch (rs.getString(1)) {
                        case "vector_ip_ops" -> "dotproduct";
                        case "vector_l2_ops" -> "euclidean";
                        case "vector_l1_ops" -> "manhattan";
                        default -> null;
                    };
                    if (metric != null) {
                        return metric;
                    }
                }
            }
        }
        return "cosine";
    }

    @Override
    public synchronized void create(int dimension) {
        write("create table " + table, c -> {
            try (Statement st = c.createStatement()) {
                // Two creators at once would race on the catalog (CREATE TABLE IF NOT EXISTS is not atomic): one at a time.
                execute(st, "SELECT pg_advisory_xact_lock(hashtext('srouter create " + table + "'))");
                Optional<Integer> existing = vectorColumn(c);
                if (existing.isPresent()) {
                    String metric = metric(c);
                    if (existing.get() != dimension || !metric.equals("cosine")) {
                        throw SrouterException.failure(describeLocation() + " holds vectors of dimension " + existing.get() + " (" + metric
                                + "), not " + dimension + " (cosine)");
                    }
                } else {
                    createExtension(c);
                    // As semantic-router's _init_index makes it, so that either tool finds the table it expects.
                    execute(st, "CREATE TABLE IF NOT EXISTS " + table + " (id VARCHAR(255) PRIMARY KEY, route VARCHAR(255), "
                            + "utterance TEXT, vector VECTOR(" + dimension + "))");
                    execute(st, "COMMENT ON COLUMN " + table + ".vector IS '" + dimension + "'");
                    execute(st, "CREATE INDEX IF NOT EXISTS " + table + "_route_idx ON " + table + " USING btree (route)");
                    execute(st, "CREATE INDEX IF NOT EXISTS " + table + "_vector_idx ON " + table
                            + " USING ivfflat (vector vector_cosine_ops) WITH (lists = 1)");
                    knownDimension = dimension;
                }
            }
            ensureOwnTables(c);
            return null;
        });
    }

    private void createExtension(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            execute(st, "SAVEPOINT extension");
            try {
                execute(st, "CREATE EXTENSION IF NOT EXISTS vector");
                execute(st, "RELEASE SAVEPOINT extension");
            } catch (SQLException e) {
                execute(st, "ROLLBACK TO SAVEPOINT extension");
                // Installed already (by someone allowed to) is all that matters; else say what to do.
                try (ResultSet rs = query(st, "SELECT 1 FROM pg_extension WHERE extname = 'vector'")) {
                    if (!rs.next()) {
                        throw SrouterException.failure("the pgvector extension is not installed in " + url + " and srouter could not "
                                + "install it (" + e.getMessage() + "): install pgvector on the server (https://github.com/pgvector/pgvector) "
                                + "and run CREATE EXTENSION vector as a user allowed to");
                    }
                }
            }
        }
    }

    /** Makes srouter's two tables unless this object saw them made or there; remembered once the transaction commits. */
    private void ensureOwnTables(Connection c) throws SQLException {
        if (knownTables.contains(configTable) && knownTables.contains(payloadTable)) {
            return;
        }
        try (Statement st = c.createStatement()) {
            createOwnTables(st);
        }
        pendingTables.add(configTable);
        pendingTables.add(payloadTable);
    }

    private void createOwnTables(Statement st) throws SQLException {
        execute(st, "CREATE TABLE IF NOT EXISTS " + configTable + " (field TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)");
        execute(st, "CREATE TABLE IF NOT EXISTS " + payloadTable + " (id VARCHAR(255) PRIMARY KEY, metadata JSON NOT NULL, "
                + "function_schemas JSON NOT NULL)");
    }

    // ---- records ----

    @Override
    public synchronized RecordPage read(String pageToken, int pageSize) {
        readCalls++;
        int limit = Math.max(1, pageSize);
        return read("read the records of " + table, c -> {
            // The first page finds out whether the table exists; later ones follow a token it gave.
            if (pageToken == null && vectorColumn(c).isEmpty()) {
                return new RecordPage(List.of(), null);
            }
            boolean payloads = exists(c, payloadTable);
            String sql = "SELECT r.id, r.route, r.utterance" + (payloads ? ", p.metadata, p.function_schemas" : "") + " FROM " + table + " r"
                    + (payloads ? " LEFT JOIN " + payloadTable + " p ON p.id = r.id" : "")
                    + (pageToken == null ? "" : " WHERE r.id > ?") + " ORDER BY r.id LIMIT ?";
            List<StoredRecord> records = new ArrayList<>();
            String last = null;
            int rows = 0;
            try (PreparedStatement st = c.prepareStatement(sql)) {
                int i = 1;
                if (pageToken != null) {
                    st.setString(i++, pageToken);
                }
                st.setInt(i, limit + 1); // one row more than the page says whether another page follows
                try (ResultSet rs = query(st)) {
                    while (rs.next()) {
                        if (++rows > limit) {
                            break;
                        }
                        last = rs.getString(1);
                        String route = rs.getString(2);
                        String utterance = rs.getString(3);
                        if (route == null || utterance == null) {
                            continue; // not a record of this layout: semantic-router never writes one
                        }
                        Map<String, Object> metadata = payloads ? map(rs.getString(4)) : Map.of();
                        List<Map<String, Object>> schemas = payloads ? maps(rs.getString(5)) : List.of();
                        records.add(new StoredRecord(route, utterance, metadata, schemas));
                    }
                }
            }
            return new RecordPage(records, rows > limit ? last : null);
        });
    }

    @Override
    public synchronized void upsert(List<VectorRecord> records) {
        writeCalls++;
        if (records.isEmpty()) {
            return;
        }
        checkRouteNames(records.stream().map(VectorRecord::route).collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
        for (VectorRecord r : records) {
            checkText(r.utterance(), "utterance of route '" + r.route() + "'");
        }
        List<VectorRecord> unique = lastOfEachId(records, VectorRecord::key);
        write("upsert " + records.size() + " records into " + table, c -> {
            int dimension = requireTable(c);
            VectorIndex.requireDimension(this, dimension, records);
            ensureOwnTables(c);
            for (List<VectorRecord> chunk : Batches.of(unique, ROWS_PER_STATEMENT)) {
                List<RecordKey> keys = chunk.stream().map(VectorRecord::key).toList();
                // Rows of these keys under other ids (semantic-router's async aadd writes random ones) give way to ours.
                try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table + " r USING unnest(?::text[], ?::text[], ?::text[]) "
                        + "AS k(id, route, utterance) WHERE r.route = k.route AND r.utterance = k.utterance AND r.id <> k.id")) {
                    bindKeys(c, st, keys);
                    update(st);
                }
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + table + " (id, route, utterance, vector) "
                        + "SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]::vector[]) ON CONFLICT (id) DO UPDATE "
                        + "SET route = EXCLUDED.route, utterance = EXCLUDED.utterance, vector = EXCLUDED.vector")) {
                    bindKeys(c, st, keys);
                    st.setArray(4, texts(c, chunk, r -> new PGvector(r.vector()).getValue()));
                    update(st);
                }
                upsertPayloads(c, chunk.stream().map(VectorRecord::stored).toList());
            }
            return null;
        });
    }

    /**
     * One record per record id, the last of each (as a second write of an id replaces the first), in the order of
     * their last appearance: the rows of one statement must have distinct ids.
     */
    private <T> List<T> lastOfEachId(List<T> items, java.util.function.Function<T, RecordKey> key) {
        Map<String, T> last = new LinkedHashMap<>();
        for (T item : items) {
            String id = recordId(key.apply(item));
            last.remove(id);
            last.put(id, item);
        }
        return new ArrayList<>(last.values());
    }

    /** Binds parameters 1, 2 and 3 to the keys' record ids, routes and utterances, as text arrays. */
    private void bindKeys(Connection c, PreparedStatement st, List<RecordKey> keys) throws SQLException {
        st.setArray(1, texts(c, keys, this::recordId));
        st.setArray(2, texts(c, keys, RecordKey::route));
        st.setArray(3, texts(c, keys, RecordKey::utterance));
    }

    private void upsertPayloads(Connection c, List<StoredRecord> payloads) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + payloadTable + " (id, metadata, function_schemas) "
                + "SELECT k.id, k.metadata, k.function_schemas FROM unnest(?::text[], ?::text[]::json[], ?::text[]::json[]) "
                + "AS k(id, metadata, function_schemas) JOIN " + table + " r ON r.id = k.id "
                + "ON CONFLICT (id) DO UPDATE SET metadata = EXCLUDED.metadata, function_schemas = EXCLUDED.function_schemas")) {
            st.setArray(1, texts(c, payloads, p -> recordId(p.key())));
            st.setArray(2, texts(c, payloads, p -> json(p.metadata())));
            st.setArray(3, texts(c, payloads, p -> json(p.functionSchemas())));
            update(st);
        }
    }

    @Override
    public synchronized void updatePayload(List<StoredRecord> records) {
        writeCalls++;
        if (records.isEmpty()) {
            return;
        }
        List<StoredRecord> unique = lastOfEachId(records, StoredRecord::key);
        write("update the payload of " + records.size() + " records of " + table, c -> {
            requireTable(c);
            ensureOwnTables(c);
            for (List<StoredRecord> chunk : Batches.of(unique, ROWS_PER_STATEMENT)) {
                // A record semantic-router's aadd stored under a random id takes its deterministic one, unless that exists too.
                try (PreparedStatement st = c.prepareStatement("UPDATE " + table + " r SET id = k.id FROM unnest(?::text[], ?::text[], "
                        + "?::text[]) AS k(id, route, utterance) WHERE r.route = k.route AND r.utterance = k.utterance AND r.id <> k.id "
                        + "AND r.id = (SELECT min(o.id) FROM " + table + " o WHERE o.route = k.route AND o.utterance = k.utterance) "
                        + "AND NOT EXISTS (SELECT 1 FROM " + table + " d WHERE d.id = k.id)")) {
                    bindKeys(c, st, chunk.stream().map(StoredRecord::key).toList());
                    update(st);
                }
                upsertPayloads(c, chunk);
            }
            return null;
        });
    }

    @Override
    public synchronized void delete(Collection<RecordKey> keys) {
        writeCalls++;
        if (keys.isEmpty()) {
            return;
        }
        List<RecordKey> list = List.copyOf(new LinkedHashSet<>(keys));
        write("delete " + keys.size() + " records from " + table, c -> {
            if (vectorColumn(c).isEmpty()) {
                return null; // nothing to delete, and a delete never creates the index
            }
            boolean payloads = exists(c, payloadTable);
            for (List<RecordKey> chunk : Batches.of(list, ROWS_PER_STATEMENT)) {
                // By (route, utterance): whatever id a row has, semantic-router's or a random one.
                try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table + " r USING unnest(?::text[], ?::text[]) "
                        + "AS k(route, utterance) WHERE r.route = k.route AND r.utterance = k.utterance")) {
                    st.setArray(1, texts(c, chunk, RecordKey::route));
                    st.setArray(2, texts(c, chunk, RecordKey::utterance));
                    update(st);
                }
                if (payloads) {
                    try (PreparedStatement st = c.prepareStatement("DELETE FROM " + payloadTable + " WHERE id = ANY(?::text[])")) {
                        st.setArray(1, texts(c, chunk, this::recordId));
                        update(st);
                    }
                }
            }
            return null;
        });
    }

    // ---- query ----

    @Override
    public synchronized List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        return queryBatchLocked(List.of(vector), topK, routeFilter).get(0);
    }

    @Override
    public synchronized List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        return queryBatchLocked(vectors, topK, routeFilter);
    }

    /**
     * Each vector's {@code topK} nearest records by cosine distance, computed by the server: one statement per
     * {@value #QUERIES_PER_STATEMENT} vectors, a LATERAL subquery per vector ordered by {@code vector <=> q}, which
     * PostgreSQL answers from the vector index when there is one (exactly with semantic-router's one-list IVFFlat).
     * With a route filter and an approximate index (HNSW, or IVFFlat with many lists) the index scan could stop before
     * it found {@code topK} rows of the allowed routes; pgvector 0.8's iterative scans keep it going.
     */
    private List<List<Hit>> queryBatchLocked(List<float[]> vectors, int topK, Set<String> routeFilter) {
        readCalls++;
        List<List<Hit>> answers = new ArrayList<>();
        if (vectors.isEmpty()) {
            return answers;
        }
        return read("query " + table, c -> {
            answers.clear();
            if ((knownDimension < 0 && vectorColumn(c).isEmpty()) || topK <= 0) {
                vectors.forEach(v -> answers.add(List.of()));
                return answers;
            }
            boolean filtered = routeFilter != null && !routeFilter.isEmpty();
            boolean iterative = filtered && iterativeScans(c);
            if (iterative) {
                c.setAutoCommit(false);
            }
            try {
                if (iterative) {
                    try (Statement st = c.createStatement()) {
                        execute(st, "SET LOCAL hnsw.iterative_scan = strict_order");
                        execute(st, "SET LOCAL ivfflat.iterative_scan = relaxed_order");
                    }
                }
                String sql = "SELECT q.n, h.route, h.utterance, h.score FROM unnest(?::text[]::vector[]) WITH ORDINALITY AS q(v, n) "
                        + "CROSS JOIN LATERAL (SELECT r.route, r.utterance, 1 - (r.vector <=> q.v) AS score FROM " + table + " r"
                        + (filtered ? " WHERE r.route = ANY(?::text[])" : "") + " ORDER BY r.vector <=> q.v LIMIT ?) h ORDER BY q.n";
                for (List<float[]> chunk : Batches.of(vectors, QUERIES_PER_STATEMENT)) {
                    List<List<Hit>> hits = new ArrayList<>();
                    chunk.forEach(v -> hits.add(new ArrayList<>()));
                    try (PreparedStatement st = c.prepareStatement(sql)) {
                        int i = 1;
                        st.setArray(i++, texts(c, chunk, v -> new PGvector(v).getValue()));
                        if (filtered) {
                            st.setArray(i++, texts(c, routeFilter, route -> route));
                        }
                        st.setInt(i, topK);
                        try (ResultSet rs = query(st)) {
                            while (rs.next()) {
                                hits.get(rs.getInt(1) - 1).add(new Hit(rs.getString(2), rs.getString(3), rs.getDouble(4)));
                            }
                        }
                    }
                    for (List<Hit> h : hits) {
                        // Nearest first; equal scores by route and utterance, so the answer never depends on the plan.
                        h.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::route).thenComparing(Hit::utterance));
                        answers.add(List.copyOf(h));
                    }
                }
                if (iterative) {
                    commit(c);
                }
            } finally {
                if (iterative && !c.isClosed()) {
                    if (!c.getAutoCommit()) {
                        c.rollback();
                    }
                    c.setAutoCommit(true);
                }
            }
            return answers;
        });
    }

    /** Whether pgvector is 0.8 or newer, whose {@code hnsw.iterative_scan} and {@code ivfflat.iterative_scan} exist. */
    private boolean iterativeScans(Connection c) throws SQLException {
        if (pgvectorVersion == null) {
            try (Statement st = c.createStatement(); ResultSet rs = query(st, "SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
                pgvectorVersion = rs.next() ? rs.getString(1) : "0";
            }
        }
        String[] parts = pgvectorVersion.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 0 || minor >= 8;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---- config ----

    @Override
    public synchronized Optional<ConfigEntry> readConfig(String field) {
        readCalls++;
        return read("read config entry " + field + " of " + table, c -> {
            if (!exists(c, configTable)) {
                return Optional.empty();
            }
            try (PreparedStatement st = c.prepareStatement("SELECT value, created_at FROM " + configTable + " WHERE field = ?")) {
                st.setString(1, field);
                try (ResultSet rs = query(st)) {
                    return rs.next() ? Optional.of(new ConfigEntry(field, rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public synchronized void writeConfig(String field, String value) {
        writeCalls++;
        write("write config entry " + field + " of " + table, c -> {
            requireTable(c);
            ensureOwnTables(c);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO " + configTable + " (field, value, created_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT (field) DO UPDATE SET value = EXCLUDED.value, created_at = EXCLUDED.created_at")) {
                st.setString(1, field);
                st.setString(2, value);
                st.setString(3, CreatedAt.now(clock));
                update(st);
            }
            return null;
        });
    }

    /** Atomic: PostgreSQL applies the conditional write or not, under the row's lock, and says how many rows it wrote. */
    @Override
    public synchronized boolean compareAndSetConfig(String field, String expected, String value) {
        writeCalls++;
        return write("write config entry " + field + " of " + table, c -> {
            requireTable(c);
            ensureOwnTables(c);
            String sql = expected == null
                    ? "INSERT INTO " + configTable + " (field, value, created_at) VALUES (?, ?, ?) ON CONFLICT (field) DO NOTHING"
                    : "UPDATE " + configTable + " SET value = ?, created_at = ? WHERE field = ? AND value = ?";
            try (PreparedStatement st = c.prepareStatement(sql)) {
                String now = CreatedAt.now(clock);
                if (expected == null) {
                    st.setString(1, field);
                    st.setString(2, value);
                    st.setString(3, now);
                } else {
                    st.setString(1, value);
                    st.setString(2, now);
                    st.setString(3, field);
                    st.setString(4, expected);
                }
                return update(st) == 1;
            }
        });
    }

    // ---- names ----

    /**
     * Refuses route names the table cannot keep apart or hold: names that differ only by surrounding whitespace or by
     * spaces against dashes share ids (semantic-router cleans them so), a name longer than the route column, one
     * whose id is longer than the id column, and NUL, which PostgreSQL text cannot hold.
     */
    @Override
    public void checkRouteNames(Collection<String> routeNames) {
        Map<String, String> byClean = new TreeMap<>();
        for (String name : routeNames) {
            checkText(name, "route name '" + name.replace("\0", "\\0") + "'");
            int chars = name.codePointCount(0, name.length());
            String clean = RecordIds.postgresCleanRoute(name);
            int idChars = clean.codePointCount(0, clean.length()) + ID_SUFFIX_CHARS;
            if (chars > MAX_COLUMN_CHARS || idChars > MAX_COLUMN_CHARS) {
                throw SrouterException.failure("route '" + name + "' cannot be stored in PostgreSQL table " + table + ": its "
                        + (chars > MAX_COLUMN_CHARS ? "name is " + chars : "records' ids would be " + idChars) + " characters and the "
                        + (chars > MAX_COLUMN_CHARS ? "route" : "id") + " column (VARCHAR(255), as semantic-router makes it) holds 255; "
                        + "rename the route (at most " + (MAX_COLUMN_CHARS - ID_SUFFIX_CHARS) + " characters)");
            }
            String other = byClean.putIfAbsent(clean, name);
            if (other != null && !other.equals(name)) {
                throw SrouterException.failure("routes '" + other + "' and '" + name + "' would share PostgreSQL record ids ('" + clean
                        + "#...': semantic-router strips the name and turns spaces into dashes); rename one of them");
            }
        }
    }

    private static void checkText(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw SrouterException.failure("the " + what + " holds a NUL character, which PostgreSQL text cannot store; remove it");
        }
    }

    @Override
    public String recordId(RecordKey key) {
        return RecordIds.postgresRecordId(key.route(), key.utterance());
    }

    @Override
    public String describeLocation() {
        return "PostgreSQL table " + table + " at " + url;
    }

    @Override
    public synchronized void close() {
        closeConnection();
    }

    // ---- test hooks and counters ----

    @Override
    public synchronized void failAfterWrites(int n) {
        failAfterWrites = n;
    }

    @Override
    public synchronized int writeCalls() {
        return writeCalls;
    }

    @Override
    public synchronized int readCalls() {
        return readCalls;
    }

    /** SQL statements sent so far, each one round trip to the server (a transaction's COMMIT counted among them). */
    public synchronized int statements() {
        return statements;
    }

    /** Write transactions committed so far. */
    public synchronized int transactions() {
        return transactions;
    }

    // ---- plumbing ----

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A read on autocommit; on a connection that broke, once more on a new one. */
    private <T> T read(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c = connection(what);
            try {
                return work.run(c);
            } catch (SQLException e) {
                boolean broken = brokenConnection(e);
                if (broken) {
                    closeConnection();
                }
                if (!broken || attempt == 2) {
                    throw translate(what, e);
                }
            }
        }
    }

    /** A write in one transaction: committed whole, or rolled back (a broken connection rolls it back on the server). */
    private <T> T write(String what, Work<T> work) {
        Connection c = connection(what);
        if (failAfterWrites == 0) {
            failAfterWrites = -1;
            // As a dropped connection fails a write: the server sees the client go and rolls back its transaction.
            closeConnection();
            throw new SrouterException(dev.srouter.core.ExitCode.UNREACHABLE, "cannot " + what + " at " + url + ": connection lost "
                    + "(injected)", new IOException("injected"));
        }
        if (failAfterWrites > 0) {
            failAfterWrites--;
        }
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            commit(c);
            transactions++;
            knownTables.addAll(pendingTables);
            return result;
        } catch (SQLException e) {
            rollbackQuietly(c);
            if (brokenConnection(e)) {
                closeConnection();
            }
            throw translate(what, e);
        } catch (RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            pendingTables.clear();
            try {
                if (connection != null && !connection.isClosed()) {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                closeConnection();
            }
        }
    }

    /** The table's dimension, looked up once per object: a table dropped since fails the statements that follow. */
    private int requireTable(Connection c) throws SQLException {
        if (knownDimension >= 0) {
            return knownDimension;
        }
        return vectorColumn(c).orElseThrow(() -> SrouterException.failure(describeLocation() + " does not exist: run push or sync first, "
                + "which create it"));
    }

    private boolean exists(Connection c, String name) throws SQLException {
        if (knownTables.contains(name)) {
            return true; // srouter never drops a table
        }
        try (PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, name);
            try (ResultSet rs = query(st)) {
                rs.next();
                if (rs.getBoolean(1)) {
                    knownTables.add(name);
                }
                return knownTables.contains(name);
            }
        }
    }

    private Connection connection(String what) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = connector.connect();
            }
            return connection;
        } catch (SQLException e) {
            connection = null;
            throw translate(what, e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection may fail; it is gone either way
            }
            connection = null;
        }
    }

    private void commit(Connection c) throws SQLException {
        statements++;
        c.commit();
    }

    private void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            closeConnection();
        }
    }

    private ResultSet query(PreparedStatement st) throws SQLException {
        statements++;
        return st.executeQuery();
    }

    private ResultSet query(Statement st, String sql) throws SQLException {
        statements++;
        return st.executeQuery(sql);
    }

    private int update(PreparedStatement st) throws SQLException {
        statements++;
        return st.executeUpdate();
    }

    private void execute(Statement st, String sql) throws SQLException {
        statements++;
        st.execute(sql);
    }

    /** A text array parameter: {@code text} of each of {@code items}, in order. */
    private static <T> Array texts(Connection c, Collection<T> items, java.util.function.Function<? super T, String> text) throws SQLException {
        return c.createArrayOf("text", items.stream().map(text).toArray(String[]::new));
    }

    private static boolean brokenConnection(SQLException e) {
        String state = e.getSQLState();
        return (state != null && state.startsWith("08")) || e.getCause() instanceof IOException;
    }

    /** A user-facing error: what failed, where, and what to do; never the password (the driver's messages hold none). */
    private SrouterException translate(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (state.startsWith("28")) {
            return SrouterException.unreachable("PostgreSQL at " + url + " refused user " + url.user() + " (" + message + "); check the "
                    + "user and password in POSTGRES_URL / --postgres-url or PGPASSWORD", e);
        }
        if (state.startsWith("08") || e.getCause() instanceof ConnectException || e.getCause() instanceof IOException) {
            return SrouterException.unreachable("cannot " + what + ": PostgreSQL at " + url + " is unreachable (" + message + ")", e);
        }
        if (state.equals("3D000")) {
            return SrouterException.unreachable("PostgreSQL at " + url + ": " + message + "; create it or name another database in the URL", e);
        }
        if (state.equals("42501")) {
            return new SrouterException(dev.srouter.core.ExitCode.FAILURE, "cannot " + what + ": " + message + " (user " + url.user()
                    + " lacks a privilege on " + url + ")", e);
        }
        if (state.equals("42704") && message.contains("vector")) {
            return new SrouterException(dev.srouter.core.ExitCode.FAILURE, "cannot " + what + ": the pgvector extension is not installed "
                    + "in " + url + " (" + message + ")", e);
        }
        return new SrouterException(dev.srouter.core.ExitCode.FAILURE, "cannot " + what + " at " + url + ": " + message
                + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")"), e);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw SrouterException.failure("metadata that is not JSON: " + e.getOriginalMessage());
        }
    }

    private Map<String, Object> map(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            Map<String, Object> map = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
            return map == null ? Map.of() : map;
        } catch (JsonProcessingException e) {
            throw SrouterException.failure(payloadTable + " holds metadata that is not a JSON object: " + e.getOriginalMessage());
        }
    }

    private List<Map<String, Object>> maps(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<Map<String, Object>> list = JSON.readValue(json, new TypeReference<List<Map<String, Object>>>() {});
            return list == null ? List.of() : list;
        } catch (JsonProcessingException e) {
            throw SrouterException.failure(payloadTable + " holds function schemas that are not a JSON list of objects: "
                    + e.getOriginalMessage());
        }
    }
}
