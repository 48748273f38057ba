package dev.srouter.index.file;

import static dev.srouter.index.file.FileLayout.COLLECTION;
import static dev.srouter.index.file.FileLayout.CONFIG;
import static dev.srouter.index.file.FileLayout.LAYOUT_VERSION;
import static dev.srouter.index.file.FileLayout.LOCK;
import static dev.srouter.index.file.FileLayout.MANIFEST;
import static dev.srouter.index.file.FileLayout.PAYLOADS;
import static dev.srouter.index.file.FileLayout.SEGMENT_PREFIX;
import static dev.srouter.index.file.FileLayout.TMP_SUFFIX;
import static dev.srouter.index.file.FileLayout.VECTORS;

import dev.srouter.core.ExitCode;
import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.CreatedAt;
import dev.srouter.index.FaultInjectable;
import dev.srouter.index.JsonValues;
import dev.srouter.index.RecordIds;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.local.LocalIndex;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code --index file:PATH}: an embedded "remote" in a directory, in the record layout of the Qdrant
 * backend (DESIGN.md, "Remote layout"), so every sync feature runs with no server, and a test can
 * crash a sync half way and look at what is left. docs/file-index.md describes the format for people.
 *
 * <h2>Files</h2>
 * <pre>
 * PATH/
 *   collection.json        {"layout_version":1,"dimension":384,"metric":"cosine","created_at":"...","instance":"uuid"}
 *   manifest.json          {"layout_version":1,"generation":7,"segments":["points-000003","points-000007"]}
 *   points-000003.jsonl    one operation a line: {"op":"upsert"|"set_payload"|"delete","id":"uuid","payload":{...}}
 *   points-000003.f32      the vectors of that segment's upsert lines, in line order, little-endian float32
 *   sr_config.json         {"layout_version":1,"points":[{"id":"uuid","payload":{"field","scope","value","created_at"}}]}
 *   lock                   empty; what processes lock
 * </pre>
 * A point's id is {@link RecordIds#qdrantPointId} and its payload {@code sr_route}, {@code sr_utterance},
 * {@code metadata} (a map), {@code sr_function_schemas} (a list of maps: our addition, the Python
 * library keeps function schemas out of Qdrant) and {@code namespace} when the index has one. Config
 * entries have id {@link RecordIds#qdrantConfigId}{@code (field, namespace or index name)}. The records
 * are what replaying the segments listed by the manifest, in order, leaves: an upsert line puts a
 * point with the next vector of its segment, {@code set_payload} replaces the payload of a present
 * point and keeps its vector, {@code delete} removes it.
 *
 * <h2>Writes</h2>
 * Every mutation is one commit: a new segment (the call's operations) is written to {@code .tmp} names,
 * forced to disk and renamed into place, then a new manifest listing it is written the same way; the rename of
 * the manifest is the commit point. A crash before it leaves files no manifest lists, which the next writer
 * deletes; a crash after it leaves the new generation. Appending makes a batch cost what it writes, not the
 * size of the store. When the manifest would list 16 segments, or the segments hold twice as many lines as
 * there are live points (plus 1,000), the commit writes instead one segment of every live point, in id order,
 * and the old files are deleted after the manifest names only it. Config entries are small:
 * {@code sr_config.json} is rewritten whole, by rename.
 *
 * <h2>Concurrency</h2>
 * Every read-modify-write holds an exclusive {@link FileLock} on {@code lock}, every read a shared one,
 * so two processes (two syncs, a sync and a router) never see or make a half-applied change, and
 * {@link #compareAndSetConfig} is a real compare-and-set. Within one JVM, where file locks cannot
 * overlap, a lock per directory serializes the index objects on it first. Each object caches the
 * replayed records with the generation they came from and, on every call, only rereads what a newer
 * manifest added (or everything, after a compaction). Vectors are read only when a query needs them;
 * queries go to a {@link LocalIndex} built from them and kept until the generation changes.
 */
public final class FileIndex implements VectorIndex, FaultInjectable {
    /** The scope of config entries when there is no namespace: the Qdrant backend's default collection name. */
    public static final String DEFAULT_INDEX_NAME = "semantic-router-index";
    static final int MAX_SEGMENTS = 16;
    private static final int COMPACTION_SLACK = 1000;
    private static final Pattern POINT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * The steps of a commit at which an injected failure can stop a write (see {@link #failAfterWrites(int, CrashPoint)}),
     * in the order a commit passes them.
     */
    public enum CrashPoint {
        /** Before anything is touched: the request never arrived. */
        BEFORE_WRITE,
        /** The new segment (or config) files are written under temporary names, nothing renamed. */
        TEMP_WRITTEN,
        /** The segment files are renamed into place, the manifest that would list them is not (config writes skip this step). */
        SEGMENT_RENAMED,
        /** The manifest is renamed: the write is done, but the caller hears of a failure (the reply was lost). */
        COMMITTED
    }

    private final Path dir;
    private final String namespace;
    private final String scope;
    private final Clock clock;

    // The cache: only touched while holding the directory's lock.
    private State state;
    private final Map<String, float[]> vectorCache = new HashMap<>();
    private LocalIndex searcher;
    private State searcherState;
    private long searcherGeneration = -1;

    // Test hooks, guarded by `this`.
    private int writeCalls;
    private int readCalls;
    private int successesBeforeFailure = -1;
    private CrashPoint failAt = CrashPoint.TEMP_WRITTEN;

    /** An index in {@code dir} with no namespace; config entries are scoped to {@value #DEFAULT_INDEX_NAME}. */
    public FileIndex(Path dir) {
        this(dir, DEFAULT_INDEX_NAME, null, Clock.systemUTC());
    }

    /**
     * @param indexName the scope of config entries when there is no namespace, as Qdrant's collection name is
     * @param namespace null or empty for none; records of other namespaces in the same directory are invisible
     * @param clock stamps config entries
     */
    public FileIndex(Path dir, String indexName, String namespace, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
        this.scope = RecordIds.configScope(this.namespace, Objects.requireNonNull(indexName));
        this.clock = Objects.requireNonNull(clock);
    }

    /** The directory, absolute. */
    public Path directory() {
        return dir;
    }

    /** Its id in this backend's layout: two records with one id would be one record. */
    @Override
    public String recordId(RecordKey key) {
        return pointId(key.route(), key.utterance());
    }

    @Override
    public String describeLocation() {
        return "file:" + dir;
    }

    // ---- reads ----

    @Override
    public IndexInfo describe() {
        countRead();
        return read(s -> s == null ? IndexInfo.missing() : new IndexInfo(true, visibleCountOf(s), s.dimension, s.metric));
    }

    @Override
    public int size() {
        countRead();
        return read(s -> s == null ? 0 : visibleCountOf(s));
    }

    @Override
    public int dimension() {
        countRead();
        return read(s -> s == null ? -1 : s.dimension);
    }

    @Override
    public RecordPage read(String pageToken, int pageSize) {
        countRead();
        if (pageSize <= 0) {
            throw SrouterException.failure("page size must be positive, got " + pageSize);
        }
        String after = pageToken == null ? null : decodeToken(pageToken);
        return read(s -> {
            if (s == null) {
                return new RecordPage(List.of(), null);
            }
            NavigableMap<String, Point> rest = after == null ? s.points : s.points.tailMap(after, false);
            List<StoredRecord> page = new ArrayList<>(Math.min(pageSize, 1024));
            String last = null;
            boolean more = false;
            for (Point p : rest.values()) {
                if (!visible(p)) {
                    continue;
                }
                if (page.size() == pageSize) {
                    more = true;
                    break;
                }
                page.add(p.record());
                last = p.id();
            }
            return new RecordPage(List.copyOf(page), more ? encodeToken(last) : null);
        });
    }

    @Override
    public List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        countRead();
        return read(s -> s == null ? List.of() : searcher(s).query(vector, topK, routeFilter));
    }

    @Override
    public List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        countRead();
        return read(s -> {
            if (s == null) {
                return vectors.stream().<List<Hit>>map(v -> List.of()).toList();
            }
            return searcher(s).queryBatch(vectors, topK, routeFilter);
        });
    }

    @Override
    public Optional<ConfigEntry> readConfig(String field) {
        countRead();
        return read(s -> {
            if (s == null) {
                return Optional.empty();
            }
            Map<String, Object> payload = loadConfig().get(RecordIds.qdrantConfigId(field, scope));
            return Optional.ofNullable(payload).map(FileIndex::configEntry);
        });
    }

    // ---- writes ----

    @Override
    public void create(int dimension) {
        write(true, (call, s) -> {
            if (dimension <= 0) {
                throw SrouterException.failure("cannot create " + describeLocation() + " with dimension " + dimension);
            }
            if (s != null) {
                if (s.dimension != dimension) {
                    throw SrouterException.failure(describeLocation() + " holds vectors of dimension " + s.dimension
                            + ", cannot use it for dimension " + dimension);
                }
                if (!"cosine".equals(s.metric)) {
                    throw SrouterException.failure(describeLocation() + " uses metric " + s.metric + ", srouter needs cosine");
                }
                return null;
            }
            Map<String, Object> collection = new LinkedHashMap<>();
            collection.put("layout_version", LAYOUT_VERSION);
            collection.put("dimension", dimension);
            collection.put("metric", "cosine");
            collection.put("created_at", CreatedAt.now(clock));
            collection.put("instance", UUID.randomUUID().toString());
            Path collectionTmp = FileLayout.writeJsonTemp(dir.resolve(COLLECTION), collection);
            call.step(CrashPoint.TEMP_WRITTEN);
            // No manifest is the empty generation 0, so a crash between these two renames leaves an empty index.
            FileLayout.moveIntoPlace(collectionTmp, dir.resolve(COLLECTION));
            call.step(CrashPoint.SEGMENT_RENAMED);
            writeManifest(0, List.of());
            FileLayout.forceDirectory(dir);
            call.step(CrashPoint.COMMITTED);
            return null;
        });
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        testWriteDelay();
        write(false, (call, s) -> {
            requireExists(s);
            VectorIndex.requireDimension(this, s.dimension, records);
            if (records.isEmpty()) {
                return null;
            }
            List<Map<String, Object>> lines = new ArrayList<>(records.size());
            List<float[]> vectors = new ArrayList<>(records.size());
            for (VectorRecord r : records) {
                lines.add(line("upsert", pointId(r.route(), r.utterance()), payload(r.route(), r.utterance(), r.metadata(),
                        r.functionSchemas())));
                vectors.add(r.vector());
            }
            commit(call, s, lines, vectors);
            return null;
        });
    }

    @Override
    public void updatePayload(List<StoredRecord> records) {
        write(false, (call, s) -> {
            requireExists(s);
            List<Map<String, Object>> lines = new ArrayList<>();
            for (StoredRecord r : records) {
                String id = pointId(r.route(), r.utterance());
                if (s.points.containsKey(id)) {
                    lines.add(line("set_payload", id, payload(r.route(), r.utterance(), r.metadata(), r.functionSchemas())));
                }
            }
            if (!lines.isEmpty()) {
                commit(call, s, lines, List.of());
            }
            return null;
        });
    }

    @Override
    public void delete(Collection<RecordKey> keys) {
        write(false, (call, s) -> {
            if (s == null) {
                return null;
            }
            Set<String> ids = new LinkedHashSet<>();
            for (RecordKey k : keys) {
                String id = pointId(k.route(), k.utterance());
                if (s.points.containsKey(id)) {
                    ids.add(id);
                }
            }
            if (!ids.isEmpty()) {
                commit(call, s, ids.stream().map(id -> line("delete", id, null)).toList(), List.of());
            }
            return null;
        });
    }

    @Override
    public void writeConfig(String field, String value) {
        write(false, (call, s) -> {
            requireExists(s);
            Map<String, Map<String, Object>> config = loadConfig();
            putConfig(config, field, value);
            saveConfig(call, config);
            return null;
        });
    }

    @Override
    public boolean compareAndSetConfig(String field, String expected, String value) {
        return write(false, (call, s) -> {
            requireExists(s);
            Map<String, Map<String, Object>> config = loadConfig();
            Map<String, Object> current = config.get(RecordIds.qdrantConfigId(field, scope));
            if (!Objects.equals(current == null ? null : current.get("value"), expected)) {
                return false;
            }
            putConfig(config, field, value);
            saveConfig(call, config);
            return true;
        });
    }

    // ---- test hooks ----

    /**
     * Hidden system property {@code srouter.test.file-index.upsert-delay-ms}: every upsert takes this long
     * before it writes, so that black-box tests (the built jar as a subprocess) can signal or kill a sync
     * while it is writing. Unset in normal use.
     */
    static final String UPSERT_DELAY_PROPERTY = "srouter.test.file-index.upsert-delay-ms";

    private static void testWriteDelay() {
        long millis = Long.getLong(UPSERT_DELAY_PROPERTY, 0L);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The write call after the next {@code n} fails once, after writing its temporary files ({@link CrashPoint#TEMP_WRITTEN}). */
    @Override
    public void failAfterWrites(int n) {
        failAfterWrites(n, CrashPoint.TEMP_WRITTEN);
    }

    /**
     * Makes the write call after the next {@code n} fail once at step {@code at} of its commit, or at the first
     * later step it reaches (a call with nothing to write fails at its end). The files are left as a process
     * killed at that step would leave them, except that nothing half-written is ever renamed.
     */
    public synchronized void failAfterWrites(int n, CrashPoint at) {
        successesBeforeFailure = n;
        failAt = Objects.requireNonNull(at);
    }

    @Override
    public synchronized int writeCalls() {
        return writeCalls;
    }

    @Override
    public synchronized int readCalls() {
        return readCalls;
    }

    private synchronized void countRead() {
        readCalls++;
    }

    private synchronized Call beginWrite() {
        writeCalls++;
        CrashPoint pending = null;
        if (successesBeforeFailure == 0) {
            pending = failAt;
            successesBeforeFailure = -1;
        } else if (successesBeforeFailure > 0) {
            successesBeforeFailure--;
        }
        return new Call(writeCalls, pending);
    }

    /** One write call and the failure armed for it, if any. */
    private final class Call {
        private final int number;
        private CrashPoint pending;

        Call(int number, CrashPoint pending) {
            this.number = number;
            this.pending = pending;
        }

        void step(CrashPoint reached) {
            if (pending != null && reached.compareTo(pending) >= 0) {
                CrashPoint fired = pending;
                pending = null;
                throw SrouterException.unreachable("injected failure at " + fired + " of write call " + number + " to "
                        + describeLocation(), new IOException("injected failure"));
            }
        }
    }

    // ---- locking and the cache ----

    private interface Body<T> {
        T run(State state) throws IOException;
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    private interface WriteBody<T> {
        T run(Call call, State state) throws IOException;
    }

    /** Runs {@code body} on the current state (null: no index) under a shared lock. */
    private <T> T read(Body<T> body) {
        if (!Files.exists(dir.resolve(COLLECTION))) {
            return run(body, null);
        }
        return locked(false, () -> {
            try {
                return body.run(refresh());
            } catch (RuntimeException | IOException | Error e) {
                invalidate();
                throw e;
            }
        });
    }

    /** Runs a write call under the exclusive lock, after deleting what crashed writers left; on any failure the cache is dropped. */
    private <T> T write(boolean createDirectory, WriteBody<T> body) {
        Call call = beginWrite();
        call.step(CrashPoint.BEFORE_WRITE);
        if (createDirectory) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw failure("cannot create " + describeLocation(), e);
            }
        }
        T result;
        if (!Files.isDirectory(dir)) {
            result = run(s -> body.run(call, s), null);
        } else {
            result = locked(true, () -> {
                try {
                    State s = refresh();
                    if (s != null) {
                        removeUnlisted(s.segments);
                    }
                    return body.run(call, s);
                } catch (RuntimeException | IOException | Error e) {
                    invalidate();
                    throw e;
                }
            });
        }
        call.step(CrashPoint.COMMITTED);
        return result;
    }

    private <T> T run(Body<T> body, State s) {
        try {
            return body.run(s);
        } catch (IOException e) {
            throw failure("cannot use " + describeLocation(), e);
        }
    }

    private <T> T locked(boolean exclusive, Locked<T> body) {
        ReentrantLock jvmLock;
        try {
            jvmLock = JVM_LOCKS.computeIfAbsent(dir.toRealPath(), k -> new ReentrantLock());
        } catch (IOException e) {
            throw failure("cannot use " + describeLocation(), e);
        }
        jvmLock.lock();
        try {
            FileChannel channel = openLockFile(exclusive);
            if (channel == null) {
                return body.run(); // a read-only directory without a lock file: nobody can be writing it
            }
            try (channel; FileLock lock = channel.lock(0, Long.MAX_VALUE, !exclusive)) {
                return body.run();
            }
        } catch (IOException e) {
            throw failure("cannot use " + describeLocation(), e);
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * The lock file, opened for writing (an exclusive lock needs it); for a shared lock in a directory this
     * process cannot write, read-only, or null when there is no lock file to open.
     */
    private FileChannel openLockFile(boolean exclusive) throws IOException {
        Path lock = dir.resolve(LOCK);
        try {
            return FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (FileSystemException | UnsupportedOperationException e) {
            if (exclusive) {
                throw e;
            }
        }
        try {
            return FileChannel.open(lock, StandardOpenOption.READ);
        } catch (FileSystemException e) {
            return null;
        }
    }

    /** The state of the manifest on disk now, rereading only the segments the cache lacks. Caller holds the lock. */
    private State refresh() {
        Path collectionFile = dir.resolve(COLLECTION);
        Map<String, Object> collection = FileLayout.readJson(collectionFile);
        if (collection == null) {
            invalidate();
            return null;
        }
        checkLayoutVersion(collectionFile, collection);
        String instance = String.valueOf(collection.get("instance"));
        Path manifestFile = dir.resolve(MANIFEST);
        Map<String, Object> manifest = FileLayout.readJson(manifestFile);
        long generation = 0;
        List<String> segments = List.of();
        if (manifest != null) {
            checkLayoutVersion(manifestFile, manifest);
            generation = ((Number) manifest.get("generation")).longValue();
            segments = strings(manifestFile, manifest.get("segments"));
        }
        State s = state;
        if (s != null && s.instance.equals(instance) && s.generation == generation && s.segments.equals(segments)) {
            return s;
        }
        if (s == null || !s.instance.equals(instance) || !startsWith(segments, s.segments)) {
            invalidate();
            Object dimension = collection.get("dimension");
            if (!(dimension instanceof Number n) || n.intValue() <= 0) {
                throw FileLayout.corrupt(collectionFile, new IOException("no positive dimension"));
            }
            s = new State(instance, n.intValue(), String.valueOf(collection.get("metric")));
        }
        for (String segment : segments.subList(s.segments.size(), segments.size())) {
            s.apply(segment, FileLayout.readLines(FileLayout.payloads(dir, segment)));
        }
        s.generation = generation;
        s.segments = List.copyOf(segments);
        vectorCache.keySet().retainAll(s.segments);
        state = s;
        return s;
    }

    private void invalidate() {
        state = null;
        vectorCache.clear();
        searcher = null;
        searcherState = null;
    }

    private LocalIndex searcher(State s) {
        if (searcher == null || searcherState != s || searcherGeneration != s.generation) {
            List<String> routes = new ArrayList<>();
            List<String> utterances = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (Point p : s.points.values()) {
                if (visible(p)) {
                    routes.add(p.record().route());
                    utterances.add(p.record().utterance());
                    vectors.add(vectorOf(s, p));
                }
            }
            searcher = new LocalIndex(s.dimension, routes, utterances, vectors);
            searcherState = s;
            searcherGeneration = s.generation;
        }
        return searcher;
    }

    private float[] vectorOf(State s, Point p) {
        float[] flat = vectorCache.computeIfAbsent(p.segment(),
                segment -> FileLayout.readVectors(FileLayout.vectors(dir, segment), s.upserts.getOrDefault(segment, 0), s.dimension));
        return Arrays.copyOfRange(flat, p.ordinal() * s.dimension, (p.ordinal() + 1) * s.dimension);
    }

    // ---- commits ----

    /**
     * Applies {@code lines} (with the vectors of their upserts) to the cached state and makes them the next
     * generation on disk: as a new segment, or as a snapshot of every live point when compaction is due.
     */
    private void commit(Call call, State s, List<Map<String, Object>> lines, List<float[]> vectors) throws IOException {
        long generation = s.generation + 1;
        String segment = FileLayout.segmentName(generation);
        vectorCache.put(segment, flatten(vectors, s.dimension));
        s.apply(segment, lines);
        List<String> segments;
        if (s.segments.size() + 1 >= MAX_SEGMENTS || s.entries > 2L * s.points.size() + COMPACTION_SLACK) {
            List<Map<String, Object>> snapshot = new ArrayList<>(s.points.size());
            List<float[]> snapshotVectors = new ArrayList<>(s.points.size());
            for (Point p : s.points.values()) {
                snapshot.add(line("upsert", p.id(), p.payload()));
                snapshotVectors.add(vectorOf(s, p));
            }
            writeSegment(call, segment, snapshot, snapshotVectors, s.dimension);
            s.resetTo(segment);
            vectorCache.clear();
            vectorCache.put(segment, flatten(snapshotVectors, s.dimension));
            segments = List.of(segment);
        } else {
            writeSegment(call, segment, lines, vectors, s.dimension);
            segments = new ArrayList<>(s.segments);
            segments.add(segment);
        }
        writeManifest(generation, segments);
        FileLayout.forceDirectory(dir);
        s.generation = generation;
        s.segments = List.copyOf(segments);
        call.step(CrashPoint.COMMITTED);
        removeUnlisted(s.segments);
    }

    private void writeSegment(Call call, String segment, List<Map<String, Object>> lines, List<float[]> vectors, int dimension)
            throws IOException {
        Path payloads = FileLayout.payloads(dir, segment);
        Path vectorFile = FileLayout.vectors(dir, segment);
        Path payloadsTmp = FileLayout.writeLinesTemp(payloads, lines);
        Path vectorsTmp = FileLayout.writeVectorsTemp(vectorFile, vectors, dimension);
        call.step(CrashPoint.TEMP_WRITTEN);
        FileLayout.moveIntoPlace(vectorsTmp, vectorFile);
        FileLayout.moveIntoPlace(payloadsTmp, payloads);
        call.step(CrashPoint.SEGMENT_RENAMED);
    }

    private void writeManifest(long generation, List<String> segments) throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("layout_version", LAYOUT_VERSION);
        manifest.put("generation", generation);
        manifest.put("segments", segments);
        Path target = dir.resolve(MANIFEST);
        FileLayout.moveIntoPlace(FileLayout.writeJsonTemp(target, manifest), target);
    }

    /**
     * Deletes temporary files and segments the manifest does not list: what a crashed or compacted writer left.
     * Caller holds the exclusive lock.
     */
    private void removeUnlisted(List<String> listed) throws IOException {
        Set<String> keep = new LinkedHashSet<>(listed);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                boolean segmentFile = name.startsWith(SEGMENT_PREFIX) && (name.endsWith(PAYLOADS) || name.endsWith(VECTORS));
                if (name.endsWith(TMP_SUFFIX)
                        || segmentFile && !keep.contains(name.substring(0, name.lastIndexOf('.')))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    // ---- config ----

    /** Config payloads by id, from {@code sr_config.json}. */
    private Map<String, Map<String, Object>> loadConfig() {
        Path file = dir.resolve(CONFIG);
        Map<String, Object> json = FileLayout.readJson(file);
        Map<String, Map<String, Object>> config = new TreeMap<>();
        if (json == null) {
            return config;
        }
        checkLayoutVersion(file, json);
        if (!(json.get("points") instanceof List<?> points)) {
            throw FileLayout.corrupt(file, new IOException("no \"points\" list"));
        }
        for (Object o : points) {
            if (!(o instanceof Map<?, ?> point) || !(point.get("id") instanceof String id)
                    || !(point.get("payload") instanceof Map<?, ?> payload)) {
                throw FileLayout.corrupt(file, new IOException("a point without id or payload"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) payload;
            config.put(id, typed);
        }
        return config;
    }

    private void putConfig(Map<String, Map<String, Object>> config, String field, String value) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("field", field);
        payload.put("scope", scope);
        payload.put("value", value);
        payload.put("created_at", CreatedAt.now(clock));
        config.put(RecordIds.qdrantConfigId(field, scope), payload);
    }

    private void saveConfig(Call call, Map<String, Map<String, Object>> config) throws IOException {
        List<Map<String, Object>> points = new ArrayList<>();
        config.forEach((id, payload) -> points.add(line(null, id, payload)));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layout_version", LAYOUT_VERSION);
        json.put("points", points);
        Path target = dir.resolve(CONFIG);
        Path tmp = FileLayout.writeJsonTemp(target, json);
        call.step(CrashPoint.TEMP_WRITTEN);
        FileLayout.moveIntoPlace(tmp, target);
        FileLayout.forceDirectory(dir);
        call.step(CrashPoint.COMMITTED);
    }

    private static ConfigEntry configEntry(Map<String, Object> payload) {
        Object value = payload.get("value");
        Object createdAt = payload.get("created_at");
        return new ConfigEntry(String.valueOf(payload.get("field")), value == null ? null : value.toString(),
                createdAt == null ? null : createdAt.toString());
    }

    // ---- records ----

    /** The replayed records of a generation, all namespaces, by point id. */
    private static final class State {
        final String instance;
        final int dimension;
        final String metric;
        final TreeMap<String, Point> points = new TreeMap<>();
        /** Upsert lines (so vectors) per listed segment. */
        final Map<String, Integer> upserts = new HashMap<>();
        /** Lines across the listed segments: what a replay reads, against points.size() what it keeps. */
        long entries;
        long generation;
        List<String> segments = List.of();
        private final Map<String, Integer> visibleCounts = new HashMap<>();

        State(String instance, int dimension, String metric) {
            this.instance = instance;
            this.dimension = dimension;
            this.metric = metric;
        }

        void apply(String segment, List<Map<String, Object>> lines) {
            int ordinal = 0;
            for (Map<String, Object> line : lines) {
                Object op = line.get("op");
                if (!(line.get("id") instanceof String id)) {
                    throw new SrouterException(ExitCode.FAILURE, "a line of segment " + segment + " has no id");
                }
                if ("upsert".equals(op)) {
                    points.put(id, Point.of(id, payloadOf(segment, line), segment, ordinal++));
                } else if ("set_payload".equals(op)) {
                    Point old = points.get(id);
                    if (old != null) {
                        points.put(id, Point.of(id, payloadOf(segment, line), old.segment(), old.ordinal()));
                    }
                } else if ("delete".equals(op)) {
                    points.remove(id);
                } else {
                    throw new SrouterException(ExitCode.FAILURE, "segment " + segment + " has an unknown operation " + op);
                }
            }
            upserts.put(segment, ordinal);
            entries += lines.size();
            visibleCounts.clear();
        }

        /** After a snapshot: every point is the upsert at its rank in id order of {@code segment}. */
        void resetTo(String segment) {
            int ordinal = 0;
            for (Map.Entry<String, Point> e : points.entrySet()) {
                Point p = e.getValue();
                e.setValue(new Point(p.id(), p.payload(), p.record(), p.namespace(), segment, ordinal++));
            }
            upserts.clear();
            upserts.put(segment, ordinal);
            entries = ordinal;
        }

        int visibleCount(String namespace) {
            return visibleCounts.computeIfAbsent(namespace == null ? "" : namespace,
                    ns -> (int) points.values().stream().filter(p -> Objects.equals(p.namespace(), namespace)).count());
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> payloadOf(String segment, Map<String, Object> line) {
            if (!(line.get("payload") instanceof Map<?, ?> payload)) {
                throw new SrouterException(ExitCode.FAILURE, "a line of segment " + segment + " has no payload");
            }
            return (Map<String, Object>) payload;
        }
    }

    private int visibleCountOf(State s) {
        return s.visibleCount(namespace);
    }

    /** A stored point: its payload as on disk, the record read from it, and where its vector is. */
    private record Point(String id, Map<String, Object> payload, StoredRecord record, String namespace, String segment, int ordinal) {
        @SuppressWarnings("unchecked")
        static Point of(String id, Map<String, Object> payload, String segment, int ordinal) {
            Map<String, Object> metadata = payload.get("metadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            List<Map<String, Object>> schemas = payload.get("sr_function_schemas") instanceof List<?> l
                    ? (List<Map<String, Object>>) l : List.of();
            StoredRecord record = new StoredRecord(String.valueOf(payload.get("sr_route")),
                    String.valueOf(payload.get("sr_utterance")), JsonValues.copyMap(metadata), JsonValues.copyMaps(schemas));
            Object ns = payload.get("namespace");
            return new Point(id, payload, record, ns instanceof String s && !s.isEmpty() ? s : null, segment, ordinal);
        }
    }

    private boolean visible(Point p) {
        return Objects.equals(p.namespace(), namespace);
    }

    private String pointId(String route, String utterance) {
        return RecordIds.qdrantPointId(namespace, route, utterance);
    }

    /**
     * The Qdrant payload of a record: {@code sr_route}, {@code sr_utterance}, {@code metadata}, {@code sr_function_schemas},
     * {@code namespace}. Converted through JSON, so the cached record is the one a reload reads (a float comes back a double)
     * and a value JSON cannot hold fails here, before anything is written.
     */
    private Map<String, Object> payload(String route, String utterance, Map<String, Object> metadata,
            List<Map<String, Object>> schemas) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("sr_route", route);
        payload.put("sr_utterance", utterance);
        payload.put("metadata", metadata);
        payload.put("sr_function_schemas", schemas);
        if (namespace != null) {
            payload.put("namespace", namespace);
        }
        try {
            return FileLayout.JSON.convertValue(payload, FileLayout.MAP);
        } catch (IllegalArgumentException e) {
            throw SrouterException.failure("cannot store the payload of (" + route + ", " + utterance + ") as JSON: "
                    + e.getMessage());
        }
    }

    private static Map<String, Object> line(String op, String id, Map<String, Object> payload) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (op != null) {
            line.put("op", op);
        }
        line.put("id", id);
        if (payload != null) {
            line.put("payload", payload);
        }
        return line;
    }

    // ---- helpers ----

    private void requireExists(State s) {
        if (s == null) {
            throw SrouterException.failure(describeLocation() + " does not exist; create it first");
        }
    }

    private static float[] flatten(List<float[]> vectors, int dimension) {
        float[] flat = new float[vectors.size() * dimension];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, flat, i * dimension, dimension);
        }
        return flat;
    }

    private static boolean startsWith(List<String> list, List<String> prefix) {
        return list.size() >= prefix.size() && list.subList(0, prefix.size()).equals(prefix);
    }

    private static List<String> strings(Path file, Object value) {
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw FileLayout.corrupt(file, new IOException("\"segments\" is not a list of names"));
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static void checkLayoutVersion(Path file, Map<String, Object> json) {
        Object version = json.get("layout_version");
        if (!(version instanceof Number n) || n.intValue() > LAYOUT_VERSION) {
            throw new SrouterException(ExitCode.FAILURE, file + " has layout version " + version + "; this srouter reads up to "
                    + LAYOUT_VERSION + ": upgrade srouter");
        }
    }

    private static String encodeToken(String lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            String id = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (POINT_ID.matcher(id).matches()) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw SrouterException.failure("invalid page token: " + token);
    }

    private SrouterException failure(String message, IOException e) {
        return new SrouterException(ExitCode.FAILURE, message + ": " + e, e);
    }
}
