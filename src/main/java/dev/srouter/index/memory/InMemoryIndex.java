package dev.srouter.index.memory;

import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.CreatedAt;
import dev.srouter.index.FaultInjectable;
import dev.srouter.index.JsonValues;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.local.LocalIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The reference {@link VectorIndex}: everything in memory, every method synchronized, so its
 * behaviour is the contract with nothing in the way. Sync engine tests use it as the remote,
 * with the {@link FaultInjectable} hooks to fail a write part way through a sync.
 *
 * <p>Records are kept in (route, utterance) order, which is the order {@link #read} pages in;
 * a page token names the last key of its page, so a page never repeats or skips a record that
 * was there before and after it. Nearest-neighbour queries go to a {@link LocalIndex} built on
 * the first query after a write.
 */
public final class InMemoryIndex implements VectorIndex, FaultInjectable {
    private static final Comparator<RecordKey> KEY_ORDER =
            Comparator.comparing(RecordKey::route).thenComparing(RecordKey::utterance);

    private record Entry(StoredRecord record, float[] vector) {}

    private final String name;
    private final Clock clock;
    private final TreeMap<RecordKey, Entry> records = new TreeMap<>(KEY_ORDER);
    private final Map<String, ConfigEntry> config = new HashMap<>();
    private boolean exists;
    private int dimension = -1;
    private LocalIndex searcher; // null after a write: rebuilt by the next query
    private int writeCalls;
    private int readCalls;
    private int successesBeforeFailure = -1;

    public InMemoryIndex() {
        this("memory", Clock.systemUTC());
    }

    /** @param name shown by {@link #describeLocation()}; {@code clock} stamps config entries */
    public InMemoryIndex(String name, Clock clock) {
        this.name = Objects.requireNonNull(name);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public synchronized IndexInfo describe() {
        readCalls++;
        return exists ? new IndexInfo(true, records.size(), dimension, "cosine") : IndexInfo.missing();
    }

    @Override
    public synchronized void create(int dimension) {
        beginWrite();
        if (dimension <= 0) {
            throw SrouterException.failure("cannot create " + describeLocation() + " with dimension " + dimension);
        }
        if (exists && this.dimension != dimension) {
            throw SrouterException.failure(describeLocation() + " holds vectors of dimension " + this.dimension
                    + ", cannot use it for dimension " + dimension);
        }
        exists = true;
        this.dimension = dimension;
    }

    @Override
    public synchronized RecordPage read(String pageToken, int pageSize) {
        readCalls++;
        if (pageSize <= 0) {
            throw SrouterException.failure("page size must be positive, got " + pageSize);
        }
        Collection<Entry> rest = pageToken == null ? records.values() : records.tailMap(decodeToken(pageToken), false).values();
        List<StoredRecord> page = new ArrayList<>(Math.min(pageSize, rest.size()));
        for (Entry e : rest) {
            if (page.size() == pageSize) {
                break;
            }
            page.add(e.record());
        }
        boolean more = rest.size() > page.size();
        return new RecordPage(List.copyOf(page), more ? encodeToken(page.get(page.size() - 1).key()) : null);
    }

    @Override
    public synchronized void upsert(List<VectorRecord> batch) {
        beginWrite();
        requireExists();
        VectorIndex.requireDimension(this, dimension, batch);
        for (VectorRecord r : batch) {
            StoredRecord stored = new StoredRecord(r.route(), r.utterance(), JsonValues.copyMap(r.metadata()),
                    JsonValues.copyMaps(r.functionSchemas()));
            records.put(r.key(), new Entry(stored, r.vector().clone()));
        }
        searcher = null;
    }

    @Override
    public synchronized void updatePayload(List<StoredRecord> batch) {
        beginWrite();
        requireExists();
        for (StoredRecord r : batch) {
            Entry old = records.get(r.key());
            if (old != null) {
                StoredRecord stored = new StoredRecord(r.route(), r.utterance(), JsonValues.copyMap(r.metadata()),
                        JsonValues.copyMaps(r.functionSchemas()));
                records.put(r.key(), new Entry(stored, old.vector()));
            }
        }
        searcher = null; // the vectors are the same, but a query must see what is stored, not a cache of it
    }

    @Override
    public synchronized void delete(Collection<RecordKey> keys) {
        beginWrite();
        for (RecordKey k : keys) {
            records.remove(k);
        }
        searcher = null;
    }

    @Override
    public synchronized Optional<ConfigEntry> readConfig(String field) {
        readCalls++;
        return Optional.ofNullable(config.get(field));
    }

    @Override
    public synchronized void writeConfig(String field, String value) {
        beginWrite();
        requireExists();
        config.put(field, new ConfigEntry(field, value, CreatedAt.now(clock)));
    }

    @Override
    public synchronized boolean compareAndSetConfig(String field, String expected, String value) {
        beginWrite();
        requireExists();
        ConfigEntry current = config.get(field);
        if (!Objects.equals(current == null ? null : current.value(), expected)) {
            return false;
        }
        config.put(field, new ConfigEntry(field, value, CreatedAt.now(clock)));
        return true;
    }

    @Override
    public String describeLocation() {
        return "memory:" + name;
    }

    @Override
    public synchronized List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        readCalls++;
        return searcher().query(vector, topK, routeFilter);
    }

    @Override
    public synchronized List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        readCalls++;
        return searcher().queryBatch(vectors, topK, routeFilter);
    }

    @Override
    public synchronized int size() {
        readCalls++;
        return records.size();
    }

    @Override
    public synchronized int dimension() {
        readCalls++;
        return dimension;
    }

    @Override
    public synchronized void failAfterWrites(int n) {
        successesBeforeFailure = n;
    }

    @Override
    public synchronized int writeCalls() {
        return writeCalls;
    }

    @Override
    public synchronized int readCalls() {
        return readCalls;
    }

    private LocalIndex searcher() {
        if (searcher == null) {
            List<String> routes = new ArrayList<>(records.size());
            List<String> utterances = new ArrayList<>(records.size());
            List<float[]> vectors = new ArrayList<>(records.size());
            for (Entry e : records.values()) {
                routes.add(e.record().route());
                utterances.add(e.record().utterance());
                vectors.add(e.vector());
            }
            searcher = new LocalIndex(Math.max(dimension, 0), routes, utterances, vectors);
        }
        return searcher;
    }

    /** Counts the call and fires an armed failure: before anything is written, as a refused request would. */
    private void beginWrite() {
        writeCalls++;
        if (successesBeforeFailure == 0) {
            successesBeforeFailure = -1;
            throw SrouterException.unreachable("injected failure: write call " + writeCalls + " to " + describeLocation()
                    + " failed", new IOException("connection reset (injected)"));
        }
        if (successesBeforeFailure > 0) {
            successesBeforeFailure--;
        }
    }

    private void requireExists() {
        if (!exists) {
            throw SrouterException.failure(describeLocation() + " does not exist; create it first");
        }
    }

    /** The page's last key, as {@code <length of route>:<route><utterance>} in URL-safe base64. */
    private static String encodeToken(RecordKey last) {
        String raw = last.route().length() + ":" + last.route() + last.utterance();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static RecordKey decodeToken(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            int length = Integer.parseInt(raw.substring(0, colon));
            String rest = raw.substring(colon + 1);
            return new RecordKey(rest.substring(0, length), rest.substring(length));
        } catch (RuntimeException e) {
            throw SrouterException.failure("invalid page token: " + token);
        }
    }
}
