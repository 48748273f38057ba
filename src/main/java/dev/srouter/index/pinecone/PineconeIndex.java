package dev.srouter.index.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.srouter.core.Batches;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.CreatedAt;
import dev.srouter.index.GrpcErrors;
import dev.srouter.index.RecordIds;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import io.grpc.Status;
import io.pinecone.clients.Pinecone;
import io.pinecone.configs.PineconeConfig;
import io.pinecone.configs.PineconeConnection;
import io.pinecone.exceptions.PineconeAlreadyExistsException;
import io.pinecone.exceptions.PineconeAuthorizationException;
import io.pinecone.exceptions.PineconeBadRequestException;
import io.pinecone.exceptions.PineconeException;
import io.pinecone.exceptions.PineconeForbiddenException;
import io.pinecone.exceptions.PineconeInternalServerException;
import io.pinecone.exceptions.PineconeNotFoundException;
import io.pinecone.exceptions.PineconeUnmappedHttpException;
import io.pinecone.proto.DeleteRequest;
import io.pinecone.proto.DescribeIndexStatsRequest;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.FetchRequest;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListRequest;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.NamespaceSummary;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.QueryResponse;
import io.pinecone.proto.ScoredVector;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc.VectorServiceBlockingStub;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.IndexModelBYOC;
import org.openapitools.db_control.client.model.IndexModelPodBased;

/**
 * A Pinecone serverless index (or Pinecone Local, the emulator) through the official Java client, in
 * semantic-router's layout (DESIGN.md, "Remote layout"): one vector per utterance with id
 * {@link RecordIds#pineconeVectorId} in the namespace of {@code --namespace} (the default namespace
 * when none), metadata as {@link PineconeMetadata} writes it; config entries in the namespace
 * {@value #CONFIG_NAMESPACE} with id {@code {field}#{namespace}}, values {@code [0.1] * dimension} and
 * metadata {@code value}, {@code created_at}, {@code namespace}, {@code field}.
 *
 * <p>The control plane (describe, create) goes over HTTPS (HTTP to an emulator), the data plane over
 * gRPC to the index's own host, with a time limit on every call and the retries of {@link RetryPolicy}
 * for 429, 5xx, UNAVAILABLE, RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED. Reads list ids a page at a time
 * and fetch them 1,000 per call.
 *
 * <p>Pinecone is eventually consistent: a write may not be visible to the next read. The index
 * remembers what it wrote; {@link #awaitWritesVisible} fetches those ids until each reads back as
 * written (or absent, for a delete), with backoff and a time limit. Pinecone has no conditional write,
 * so {@link #compareAndSetConfig} is best effort: it checks the current value, writes, waits until
 * its write is visible, waits a settle delay and reads again; of two racing writers, the one whose
 * value is there after the delay wins.
 */
public final class PineconeIndex implements VectorIndex {
    public static final String CONFIG_NAMESPACE = "sr_config";
    static final int FETCH_BATCH = 1000;
    /** Room for one fetch answer: the client accepts 64 MB. */
    static final long MAX_FETCH_ANSWER_BYTES = 48L * 1024 * 1024;
    static final int LIST_LIMIT = 1000;
    /** List's documented default page size: what srouter falls back to when the service refuses {@value #LIST_LIMIT}. */
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int DELETE_BATCH = 1000;
    /** Pinecone refuses upserts over 2 MB; stay well below it. */
    static final int MAX_UPSERT_BYTES = 1536 * 1024;
    static final int MAX_UPSERT_VECTORS = 1000;
    /**
     * Bytes of a config value per vector, counted as {@link PineconeMetadata#jsonCost} counts them (escaped JSON, which is
     * never smaller than UTF-8 or protobuf): 30 KB of Pinecone's 40 KB, leaving room for the entry's other fields (a
     * namespace of up to 480 characters included) however the service measures metadata.
     */
    static final int CONFIG_PART_BYTES = 30 * 1024;
    /** Parts of a long config value fetched with the entry itself, in one call. */
    static final int SPECULATIVE_PARTS = 7;
    /** Pinecone's limit on a record id and on a namespace: 512 characters, ASCII except NUL (docs, "Identifier limits"). */
    static final int MAX_ID_CHARS = 512;
    /** What a record id adds to the route name: {@code '#'} and 64 hex digits. */
    static final int RECORD_ID_SUFFIX = 65;
    /** Room kept in a config id {@code {field}#{namespace}} for the field and the '#' ({@code srouter_manifest.part9999#} is 26). */
    static final int CONFIG_FIELD_ROOM = 32;
    /** Queries in flight at once for a batch. */
    static final int QUERY_CONCURRENCY = 8;
    /**
     * A 429 that is a monthly quota (read or write units), not a per-second rate limit: both come back as 429
     * (RESOURCE_EXHAUSTED on gRPC), and only the message tells them apart ("... your read unit limit for the
     * current month ..."; per-second ones say "per second" or "QPS"). Retrying one for minutes cannot help.
     */
    private static final Pattern MONTHLY_QUOTA = Pattern.compile("(?i)\\bmonth");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where and how to reach Pinecone, and how long to wait for it. */
    public record Settings(RetryPolicy retry, Duration settleDelay, Duration visibilityTimeout, Duration readyTimeout, String cloud,
            String region) {
        /** 2 s settle delay for the lock, 60 s for writes to become visible, 5 min for a new index to be ready; aws us-east-1. */
        public static Settings defaults() {
            return new Settings(RetryPolicy.defaults(), Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(5), "aws",
                    "us-east-1");
        }

        public Settings withSettleDelay(Duration delay) {
            return new Settings(retry, delay, visibilityTimeout, readyTimeout, cloud, region);
        }

        public Settings withVisibilityTimeout(Duration timeout) {
            return new Settings(retry, settleDelay, timeout, readyTimeout, cloud, region);
        }

        /** Where an index srouter creates goes. */
        public Settings withPlacement(String cloud, String region) {
            return new Settings(retry, settleDelay, visibilityTimeout, readyTimeout, cloud, region);
        }
    }

    private final Pinecone control;
    private final String apiKey;
    private final String controlHost;
    private final boolean tls;
    private final String indexName;
    private final String namespace;
    private final Clock clock;
    private final Settings settings;
    /** Writes not yet seen to be visible: namespace, id -> the metadata written, or null for a delete. */
    private final Map<Key, Struct> pending = new LinkedHashMap<>();
    /**
     * Record writes fetch already shows but List may not yet (Pinecone's Fetch, List and Query need not become fresh
     * together, and reads list ids): id -> whether List must show it (an upsert) or not (a delete). Guarded by {@link #pending}.
     */
    private final Map<Key, Boolean> unlisted = new LinkedHashMap<>();
    /** Route prefixes up to which the writes still to be seen by List are checked prefix by prefix, not by listing the namespace. */
    static final int LIST_CHECK_PREFIXES = 8;
    /** The created_at of a metadata written to sr_config: an entry that shows it, or a later one, is visible. */
    private static final String CREATED_AT = "created_at";
    private volatile IndexModel model;
    private volatile PineconeConnection data;
    /** The limit asked of List: {@value #LIST_LIMIT}, or {@value #DEFAULT_LIST_LIMIT} for the rest of the run once the service refused it. */
    private volatile int listLimit = LIST_LIMIT;
    private ExecutorService queryPool;

    private record Key(String namespace, String id) {}

    private PineconeIndex(Pinecone control, String apiKey, String controlHost, boolean tls, String indexName, String namespace, Clock clock,
            Settings settings) {
        this.control = control;
        this.apiKey = apiKey;
        this.controlHost = controlHost;
        this.tls = tls;
        this.indexName = indexName;
        this.namespace = namespace == null ? "" : namespace;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * An index of the project the API key belongs to, or of the emulator at {@code host}. Nothing is
     * sent until the first call.
     *
     * @param apiKey the project's key; never printed
     * @param host null for Pinecone's cloud; else the control plane of an emulator ({@code http://localhost:5080}),
     *     reached with TLS off, as are the index hosts it names
     * @param namespace null or empty for the default namespace
     */
    public static PineconeIndex connect(String apiKey, String host, String indexName, String namespace, Clock clock, Settings settings) {
        if (indexName == null || indexName.isBlank()) {
            throw SrouterException.usage("the Pinecone index name (--index-name) must not be empty");
        }
        String namespaceProblem = namespaceProblem(namespace == null ? "" : namespace);
        if (namespaceProblem != null) {
            throw SrouterException.usage("the Pinecone namespace (--namespace) '" + shown(namespace) + "' " + namespaceProblem);
        }
        boolean emulator = host != null && !host.isBlank();
        if (apiKey == null || apiKey.isBlank()) {
            if (!emulator) {
                throw SrouterException.unreachable("Pinecone needs an API key: set PINECONE_API_KEY", null);
            }
            apiKey = "pclocal"; // Pinecone Local accepts any key
        }
        Pinecone.Builder builder = new Pinecone.Builder(apiKey).withSourceTag("srouter");
        String controlHost = "https://api.pinecone.io";
        if (emulator) {
            controlHost = host.strip().contains("://") ? host.strip() : "http://" + host.strip();
            builder.withHost(controlHost).withTlsEnabled(false);
        }
        return new PineconeIndex(builder.build(), apiKey, controlHost, !emulator, indexName, namespace, clock, settings);
    }

    // ---- index ----

    @Override
    public IndexInfo describe() {
        Optional<IndexModel> m = describeModel();
        if (m.isEmpty()) {
            return IndexInfo.missing();
        }
        return new IndexInfo(true, namespaceCount(), m.get().getDimension() == null ? -1 : m.get().getDimension(),
                m.get().getMetric() == null ? null : m.get().getMetric().toLowerCase(Locale.ROOT));
    }

    private Optional<IndexModel> describeModel() {
        try {
            IndexModel m = controlCall("describe index " + indexName, () -> control.describeIndex(indexName));
            requireServerless(m);
            model = m;
            return Optional.of(m);
        } catch (IndexMissing e) {
            model = null;
            return Optional.empty();
        }
    }

    /**
     * Refuses a pod-based or BYOC index before anything else is asked of it: srouter reads an index by listing
     * its ids, and Pinecone lists ids only on serverless indexes.
     */
    private void requireServerless(IndexModel m) {
        Object spec = m.getSpec() == null ? null : m.getSpec().getActualInstance();
        String what = null;
        if (spec instanceof IndexModelPodBased pod) {
            what = "a pod-based index (" + (pod.getPod() == null ? "pod" : pod.getPod().getPodType() + " in " + pod.getPod().getEnvironment()) + ")";
        } else if (spec instanceof IndexModelBYOC byoc) {
            what = "a BYOC index (" + (byoc.getByoc() == null ? "byoc" : byoc.getByoc().getEnvironment()) + ")";
        }
        if (what != null) {
            throw SrouterException.failure(describeLocation() + " is " + what + "; srouter needs a serverless index (Pinecone lists record ids "
                    + "only on serverless indexes): use another --index-name, or move the index to serverless");
        }
    }

    private long namespaceCount() {
        DescribeIndexStatsResponse stats = dataCall("describe index stats", s -> s.describeIndexStats(DescribeIndexStatsRequest.newBuilder().build()));
        NamespaceSummary summary = stats.getNamespacesMap().get(namespace);
        if (summary == null && namespace.isEmpty()) {
            summary = stats.getNamespacesMap().get("__default__");
        }
        return summary == null ? 0 : summary.getVectorCount();
    }

    @Override
    public void create(int dimension) {
        Optional<IndexModel> m = describeModel();
        if (m.isEmpty()) {
            try {
                controlCall("create index " + indexName, () -> control.createServerlessIndex(indexName, "cosine", dimension, settings.cloud(),
                        settings.region(), "disabled", Map.of("created_by", "srouter")));
            } catch (SrouterException e) {
                if (!(e.getCause() instanceof PineconeAlreadyExistsException)) {
                    throw e;
                }
            }
            m = Optional.of(awaitReady());
        } else if (!Boolean.TRUE.equals(m.get().getStatus() == null ? null : m.get().getStatus().getReady())) {
            m = Optional.of(awaitReady());
        }
        int have = m.get().getDimension() == null ? -1 : m.get().getDimension();
        String metric = m.get().getMetric() == null ? "?" : m.get().getMetric().toLowerCase(Locale.ROOT);
        if (have != dimension || !metric.equals("cosine")) {
            throw SrouterException.failure(describeLocation() + " holds vectors of dimension " + have + " with " + metric
                    + " metric; the encoder makes vectors of dimension " + dimension + " compared by cosine: use another --index-name, or the "
                    + "encoder that wrote it");
        }
    }

    /** Polls describe until the index says it is ready, with backoff, for at most the ready timeout. */
    private IndexModel awaitReady() {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        long step = 250;
        while (true) {
            IndexModel m = describeModel().orElseThrow(this::missing);
            if (m.getStatus() != null && Boolean.TRUE.equals(m.getStatus().getReady())) {
                return m;
            }
            if (m.getStatus() != null && "InitializationFailed".equals(m.getStatus().getState())) {
                throw SrouterException.failure(describeLocation() + " failed to initialize (state InitializationFailed) and will not become "
                        + "ready: delete it (Pinecone console or API) and run the command again, or use another --index-name");
            }
            if (System.nanoTime() > deadline) {
                throw SrouterException.failure(describeLocation() + " is not ready after " + settings.readyTimeout().toSeconds() + " s (state "
                        + (m.getStatus() == null ? "unknown" : m.getStatus().getState()) + "); run the command again later");
            }
            RetryPolicy.sleep(step);
            step = Math.min(step * 2, 5000);
        }
    }

    /**
     * Route names become ids with spaces as dashes: two names that differ only there would overwrite each other's records,
     * and a name whose ids Pinecone refuses (not ASCII, or too long for 512 characters) could not be written at all.
     */
    @Override
    public void checkRouteNames(Collection<String> names) {
        Map<String, String> byPrefix = new TreeMap<>();
        for (String name : names) {
            String problem = routeIdProblem(name);
            if (problem != null) {
                throw SrouterException.failure("route '" + shown(name) + "' cannot be stored in Pinecone: " + problem + "; rename the route");
            }
            String prefix = name.replace(' ', '-');
            String other = byPrefix.putIfAbsent(prefix, name);
            if (other != null && !other.equals(name)) {
                throw SrouterException.failure("routes '" + other + "' and '" + name + "' would share Pinecone ids ('" + prefix
                        + "#...': spaces become dashes, as semantic-router writes them); rename one of them");
            }
        }
    }

    /** Why Pinecone cannot take the ids of a route's records ({@code "{route with spaces as -}#{sha256 hex}"}), or null. */
    static String routeIdProblem(String route) {
        if (!ascii(route)) {
            return "Pinecone record ids are ASCII only (no NUL), and its records' ids begin with the route name "
                    + "(semantic-router's '{route}#{sha256}')";
        }
        int length = route.length() + RECORD_ID_SUFFIX;
        if (length > MAX_ID_CHARS) {
            return "its records' ids would be " + length + " characters and Pinecone takes at most " + MAX_ID_CHARS
                    + " (the name with spaces as dashes, '#' and 64 hex digits: at most " + (MAX_ID_CHARS - RECORD_ID_SUFFIX) + " for the name)";
        }
        return null;
    }

    /**
     * Why a namespace cannot hold srouter's records and config entries, or null: Pinecone's namespaces are ASCII (no NUL),
     * the config ids {@code {field}#{namespace}} must fit in 512 characters, and fetch does not accept ids containing spaces.
     */
    static String namespaceProblem(String namespace) {
        if (!ascii(namespace)) {
            return "is not ASCII: Pinecone namespaces and record ids are ASCII only (no NUL)";
        }
        if (namespace.indexOf(' ') >= 0) {
            return "contains a space: srouter's config entries have ids '{field}#{namespace}', and Pinecone's fetch does not accept ids "
                    + "containing spaces";
        }
        int max = MAX_ID_CHARS - CONFIG_FIELD_ROOM;
        if (namespace.length() > max) {
            return "is " + namespace.length() + " characters: srouter's config ids '{field}#{namespace}' must fit Pinecone's "
                    + MAX_ID_CHARS + " (at most " + max + " for the namespace)";
        }
        return null;
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c > 0 && c < 128);
    }

    /** A name as messages show it: on one line, NUL visible, at most 60 characters. */
    private static String shown(String name) {
        String s = name.replace("\0", "\\0").replaceAll("\\R", " ");
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    // ---- records ----

    @Override
    public RecordPage read(String pageToken, int pageSize) {
        if (absent()) {
            return new RecordPage(List.of(), null);
        }
        // Gather a page of ids (the service may answer fewer per list call than asked), then fetch them at once.
        int want = Math.max(1, Math.min(pageSize, LIST_LIMIT));
        List<String> idList = new ArrayList<>(want);
        String next = pageToken;
        do {
            ListResponse ids = listIds(want - idList.size(), next);
            ids.getVectorsList().stream().map(ListItem::getId).forEach(idList::add);
            next = ids.hasPagination() && !ids.getPagination().getNext().isEmpty() ? ids.getPagination().getNext() : null;
        } while (next != null && idList.size() < want);
        Map<String, Vector> fetched = fetch(namespace, idList);
        List<StoredRecord> records = new ArrayList<>(idList.size());
        for (String id : idList) {
            Vector v = fetched.get(id);
            StoredRecord r = v == null ? null : PineconeMetadata.record(v.getMetadata());
            if (r != null) {
                records.add(r);
            }
        }
        return new RecordPage(records, next);
    }

    /**
     * One List call for at most {@code limit} ids. Pinecone documents a default of 100 ids and no maximum: when the
     * service refuses a larger limit (INVALID_ARGUMENT), the call is made again with the default, which is then used
     * for the rest of the run instead of failing every read.
     */
    private ListResponse listIds(int limit, String token) {
        return listIds(namespace, null, limit, token);
    }

    private ListResponse listIds(String ns, String prefix, int limit, String token) {
        int asked = Math.min(limit, listLimit);
        try {
            return dataCall("list the ids of " + indexName, s -> s.list(listRequest(ns, prefix, asked, token)));
        } catch (SrouterException e) {
            if (asked <= DEFAULT_LIST_LIMIT || Status.fromThrowable(e.getCause()).getCode() != Status.Code.INVALID_ARGUMENT) {
                throw e;
            }
            listLimit = DEFAULT_LIST_LIMIT;
            int fallback = Math.min(limit, DEFAULT_LIST_LIMIT);
            return dataCall("list the ids of " + indexName, s -> s.list(listRequest(ns, prefix, fallback, token)));
        }
    }

    private static ListRequest listRequest(String ns, String prefix, int limit, String token) {
        ListRequest.Builder list = ListRequest.newBuilder().setNamespace(ns).setLimit(limit);
        if (prefix != null) {
            list.setPrefix(prefix);
        }
        if (token != null) {
            list.setPaginationToken(token);
        }
        return list.build();
    }

    /**
     * Fetches ids in batches of {@value #FETCH_BATCH} (fewer for very long vectors: a fetch answers with the
     * values, and the client takes answers of up to 64 MB); absent ids are absent from the map.
     */
    private Map<String, Vector> fetch(String ns, List<String> ids) {
        IndexModel m = model;
        int dimension = m == null || m.getDimension() == null ? 0 : m.getDimension();
        int perCall = (int) Math.max(1, Math.min(FETCH_BATCH, MAX_FETCH_ANSWER_BYTES / (dimension * 4L + 4096)));
        Map<String, Vector> out = new HashMap<>();
        for (List<String> batch : Batches.of(ids, perCall)) {
            FetchRequest request = FetchRequest.newBuilder().setNamespace(ns).addAllIds(batch).build();
            FetchResponse response = dataCall("fetch " + batch.size() + " vectors", s -> s.fetch(request));
            out.putAll(response.getVectorsMap());
        }
        return out;
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        VectorIndex.requireDimension(this, requireIndex(), records);
        checkRouteNames(records.stream().map(VectorRecord::route).collect(Collectors.toCollection(LinkedHashSet::new)));
        Map<String, Vector> vectors = new LinkedHashMap<>();
        for (VectorRecord r : records) {
            String id = RecordIds.pineconeVectorId(r.route(), r.utterance());
            vectors.remove(id);
            vectors.put(id, vector(id, r.vector(), PineconeMetadata.of(r.stored())));
        }
        upsertVectors(namespace, new ArrayList<>(vectors.values()));
    }

    private static Vector vector(String id, float[] values, Struct metadata) {
        Vector.Builder v = Vector.newBuilder().setId(id).setMetadata(metadata);
        for (float f : values) {
            v.addValues(f);
        }
        return v.build();
    }

    private void upsertVectors(String ns, List<Vector> vectors) {
        for (List<Vector> batch : Batches.bySize(vectors, Vector::getSerializedSize, MAX_UPSERT_BYTES, MAX_UPSERT_VECTORS)) {
            sendUpsert(ns, batch);
        }
    }

    private void sendUpsert(String ns, List<Vector> batch) {
        UpsertRequest request = UpsertRequest.newBuilder().setNamespace(ns).addAllVectors(batch).build();
        dataCall("write " + batch.size() + " vectors", s -> s.upsert(request));
        synchronized (pending) {
            batch.forEach(v -> {
                pending.put(new Key(ns, v.getId()), v.getMetadata());
                unlisted.remove(new Key(ns, v.getId()));
            });
        }
    }

    /** Pinecone has no payload-only write that replaces metadata: the vectors are fetched and written again with the new metadata. */
    @Override
    public void updatePayload(List<StoredRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        requireIndex();
        Map<String, StoredRecord> byId = new LinkedHashMap<>();
        records.forEach(r -> byId.put(RecordIds.pineconeVectorId(r.route(), r.utterance()), r));
        Map<String, Vector> existing = fetch(namespace, new ArrayList<>(byId.keySet()));
        List<Vector> rewritten = new ArrayList<>();
        for (Map.Entry<String, StoredRecord> e : byId.entrySet()) {
            Vector old = existing.get(e.getKey());
            if (old != null) {
                rewritten.add(old.toBuilder().setMetadata(PineconeMetadata.of(e.getValue())).build());
            }
        }
        upsertVectors(namespace, rewritten);
    }

    @Override
    public void delete(Collection<RecordKey> keys) {
        if (keys.isEmpty() || absent()) {
            return;
        }
        List<String> ids = keys.stream().map(k -> RecordIds.pineconeVectorId(k.route(), k.utterance())).distinct().toList();
        for (List<String> batch : Batches.of(ids, DELETE_BATCH)) {
            DeleteRequest request = DeleteRequest.newBuilder().setNamespace(namespace).addAllIds(batch).build();
            dataCall("delete " + batch.size() + " vectors", s -> s.delete(request));
            synchronized (pending) {
                batch.forEach(id -> {
                    pending.put(new Key(namespace, id), null);
                    unlisted.remove(new Key(namespace, id));
                });
            }
        }
    }

    /**
     * Waits until every write made through this object reads back as written: fetches the ids still pending, with
     * backoff, for at most the visibility timeout; then, for records (not config entries, which are only fetched), lists
     * them until List shows them too (or no longer shows a deleted one), since Fetch, List and Query need not become
     * fresh together and reads list ids. Fails after the time limit, naming how many writes are not visible yet. The sync
     * calls this before it writes the manifest and hash.
     */
    @Override
    public void awaitWritesVisible() {
        long deadline = System.nanoTime() + settings.visibilityTimeout().toNanos();
        long step = Math.max(1, Math.min(50, settings.retry().firstBackoff().toMillis()));
        while (true) {
            Map<Key, Struct> waiting;
            Map<Key, Boolean> toList;
            synchronized (pending) {
                waiting = new LinkedHashMap<>(pending);
                toList = new LinkedHashMap<>(unlisted);
            }
            if (waiting.isEmpty() && toList.isEmpty()) {
                return;
            }
            Map<String, List<Key>> byNamespace = new LinkedHashMap<>();
            waiting.keySet().forEach(k -> byNamespace.computeIfAbsent(k.namespace(), n -> new ArrayList<>()).add(k));
            for (Map.Entry<String, List<Key>> e : byNamespace.entrySet()) {
                Map<String, Vector> seen = fetch(e.getKey(), e.getValue().stream().map(Key::id).toList());
                for (Key k : e.getValue()) {
                    Struct expected = waiting.get(k);
                    Vector v = seen.get(k.id());
                    boolean visible = expected == null ? v == null : v != null && shows(v.getMetadata(), expected);
                    if (visible) {
                        synchronized (pending) {
                            if (pending.remove(k, expected) && !k.namespace().equals(CONFIG_NAMESPACE)) {
                                unlisted.put(k, expected != null);
                            }
                        }
                    }
                }
            }
            checkListed(toList);
            synchronized (pending) {
                if (pending.isEmpty() && unlisted.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw SrouterException.failure((pending.size() + unlisted.size()) + " writes to " + describeLocation()
                            + " are not visible after " + settings.visibilityTimeout().toSeconds() + " s (Pinecone is eventually "
                            + "consistent); the manifest was not written: run srouter diff in a while");
                }
            }
            RetryPolicy.sleep(step);
            step = Math.min(step * 2, 2000);
        }
    }

    /**
     * Lists the ids of record writes fetch already shows, and forgets those List shows as written: by route prefix
     * ({@code "{route}#"}) when few routes were written, else by listing the whole namespace.
     */
    private void checkListed(Map<Key, Boolean> toList) {
        Map<String, List<Key>> byNamespace = new LinkedHashMap<>();
        toList.keySet().forEach(k -> byNamespace.computeIfAbsent(k.namespace(), n -> new ArrayList<>()).add(k));
        for (Map.Entry<String, List<Key>> e : byNamespace.entrySet()) {
            Set<String> prefixes = new TreeSet<>();
            e.getValue().forEach(k -> prefixes.add(k.id().substring(0, k.id().indexOf('#') + 1)));
            Set<String> listed = new java.util.HashSet<>();
            if (prefixes.size() <= LIST_CHECK_PREFIXES) {
                prefixes.forEach(p -> listed.addAll(listAll(e.getKey(), p)));
            } else {
                listed.addAll(listAll(e.getKey(), null));
            }
            synchronized (pending) {
                for (Key k : e.getValue()) {
                    if (listed.contains(k.id()) == toList.get(k)) {
                        unlisted.remove(k, toList.get(k));
                    }
                }
            }
        }
    }

    private List<String> listAll(String ns, String prefix) {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            ListResponse page = listIds(ns, prefix, LIST_LIMIT, token);
            page.getVectorsList().forEach(item -> ids.add(item.getId()));
            token = page.hasPagination() && !page.getPagination().getNext().isEmpty() ? page.getPagination().getNext() : null;
        } while (token != null);
        return ids;
    }

    /**
     * Whether a vector read back shows a write: records must read back as written (the lease keeps other
     * writers away); a config entry may also have been overwritten since by a later writer (another
     * process taking the lease): its {@code created_at} then sorts after ours, and our write is past too.
     */
    private static boolean shows(Struct seen, Struct written) {
        if (seen.equals(written)) {
            return true;
        }
        Value mine = written.getFieldsMap().get(CREATED_AT);
        Value theirs = seen.getFieldsMap().get(CREATED_AT);
        return mine != null && theirs != null && mine.hasStringValue() && theirs.hasStringValue()
                && theirs.getStringValue().compareTo(mine.getStringValue()) > 0;
    }

    // ---- query ----

    @Override
    public List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        if (absent()) {
            return List.of();
        }
        QueryRequest.Builder q = QueryRequest.newBuilder().setNamespace(namespace).setTopK(Math.max(1, topK)).setIncludeMetadata(true);
        for (float f : vector) {
            q.addVector(f);
        }
        if (!routeFilter.isEmpty()) {
            ListValue.Builder names = ListValue.newBuilder();
            routeFilter.stream().sorted().forEach(n -> names.addValues(Value.newBuilder().setStringValue(n)));
            q.setFilter(Struct.newBuilder().putFields(PineconeMetadata.ROUTE, Value.newBuilder().setStructValue(
                    Struct.newBuilder().putFields("$in", Value.newBuilder().setListValue(names).build())).build()));
        }
        QueryResponse response = dataCall("query " + indexName, s -> s.query(q.build()));
        List<Hit> hits = new ArrayList<>();
        for (ScoredVector v : response.getMatchesList()) {
            StoredRecord r = PineconeMetadata.record(v.getMetadata());
            if (r != null) {
                hits.add(new Hit(r.route(), r.utterance(), v.getScore()));
            }
        }
        return hits;
    }

    /**
     * Pinecone answers one query per call: a batch (what {@code route -} sends for a chunk of stdin) runs
     * {@value #QUERY_CONCURRENCY} queries at a time, answers in input order.
     */
    @Override
    public List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        if (vectors.size() <= 1) {
            return vectors.stream().map(v -> query(v, topK, routeFilter)).toList();
        }
        List<Future<List<Hit>>> futures = new ArrayList<>(vectors.size());
        ExecutorService pool = queryPool();
        for (float[] v : vectors) {
            futures.add(pool.submit(() -> query(v, topK, routeFilter)));
        }
        List<List<Hit>> out = new ArrayList<>(vectors.size());
        try {
            for (Future<List<Hit>> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new SrouterException(ExitCode.FAILURE, "interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return out;
    }

    private synchronized ExecutorService queryPool() {
        if (queryPool == null) {
            queryPool = Executors.newFixedThreadPool(QUERY_CONCURRENCY, r -> {
                Thread t = new Thread(r, "srouter-pinecone-query");
                t.setDaemon(true);
                return t;
            });
        }
        return queryPool;
    }

    // ---- config ----

    private String configId(String field) {
        return RecordIds.pineconeConfigId(field, namespace);
    }

    /** Part {@code i} (from 1) of a long config value: {@code {field}.part{i}#{namespace}}. */
    private String configPartId(String field, int part) {
        return RecordIds.pineconeConfigId(field + ".part" + part, namespace);
    }

    /**
     * A config entry. A value too long for one vector's metadata (Pinecone holds 40 KB; srouter's
     * manifest grows with the number of routes) was written in parts: the entry's own vector holds the
     * first part and {@code parts}, further vectors the rest, all with the same {@code created_at}.
     * The parts are fetched in the same call as the entry (up to {@value #SPECULATIVE_PARTS}); a value
     * whose parts do not all show the entry's {@code created_at} yet (a write still becoming visible)
     * reads as absent.
     */
    @Override
    public Optional<ConfigEntry> readConfig(String field) {
        if (absent()) {
            return Optional.empty();
        }
        List<String> ids = new ArrayList<>();
        ids.add(configId(field));
        for (int i = 1; i <= SPECULATIVE_PARTS; i++) {
            ids.add(configPartId(field, i));
        }
        Map<String, Vector> found = fetch(CONFIG_NAMESPACE, ids);
        Vector v = found.get(configId(field));
        if (v == null) {
            return Optional.empty();
        }
        Map<String, Value> m = v.getMetadata().getFieldsMap();
        String value = text(m.get("value"));
        String createdAt = text(m.get(CREATED_AT));
        int parts = m.containsKey("parts") && m.get("parts").hasNumberValue() ? (int) m.get("parts").getNumberValue() : 1;
        if (parts > 1) {
            List<String> rest = new ArrayList<>();
            for (int i = 1; i < parts; i++) {
                rest.add(configPartId(field, i));
            }
            List<String> missing = rest.stream().filter(id -> !found.containsKey(id)).toList();
            if (!missing.isEmpty()) {
                found.putAll(fetch(CONFIG_NAMESPACE, missing));
            }
            StringBuilder whole = new StringBuilder(value == null ? "" : value);
            for (String id : rest) {
                Vector part = found.get(id);
                if (part == null || !Objects.equals(createdAt, text(part.getMetadata().getFieldsMap().get(CREATED_AT)))) {
                    return Optional.empty();
                }
                whole.append(text(part.getMetadata().getFieldsMap().get("value")));
            }
            value = whole.toString();
        }
        return Optional.of(new ConfigEntry(field, value, createdAt));
    }

    private static String text(Value v) {
        Object o = v == null ? null : PineconeMetadata.plain(v);
        return o == null ? null : o.toString();
    }

    @Override
    public void writeConfig(String field, String value) {
        writeConfig(field, value, CreatedAt.now(clock));
    }

    private void writeConfig(String field, String value, String createdAt) {
        int dimension = requireIndex();
        float[] values = new float[dimension];
        Arrays.fill(values, 0.1f);
        List<String> parts = split(value, CONFIG_PART_BYTES);
        List<Vector> vectors = new ArrayList<>();
        for (int i = parts.size() - 1; i >= 0; i--) { // the parts before the entry that names them
            Struct.Builder metadata = Struct.newBuilder()
                    .putFields("value", Value.newBuilder().setStringValue(parts.get(i)).build())
                    .putFields(CREATED_AT, Value.newBuilder().setStringValue(createdAt).build())
                    .putFields("namespace", Value.newBuilder().setStringValue(namespace).build())
                    .putFields("field", Value.newBuilder().setStringValue(field).build());
            if (i == 0 && parts.size() > 1) {
                metadata.putFields("parts", Value.newBuilder().setNumberValue(parts.size()).build());
            }
            vectors.add(vector(i == 0 ? configId(field) : configPartId(field, i), values, metadata.build()));
        }
        sendUpsert(CONFIG_NAMESPACE, vectors);
    }

    /**
     * Splits text into pieces of at most {@code maxBytes} as {@link PineconeMetadata#jsonCost} counts them (at least one code
     * point each), never inside a surrogate pair.
     */
    static List<String> split(String text, int maxBytes) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int cost = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int add = PineconeMetadata.jsonCost(c);
            boolean pairStart = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairStart) {
                add += PineconeMetadata.jsonCost(text.charAt(i + 1));
            }
            if (cost + add > maxBytes && i > from) {
                out.add(text.substring(from, i));
                from = i;
                cost = 0;
            }
            cost += add;
            if (pairStart) {
                i++;
            }
        }
        out.add(text.substring(from));
        return out;
    }

    /**
     * Best effort (Pinecone has no conditional write): reads the entry, writes ours when it holds
     * {@code expected}, waits until our write is visible, waits the settle delay so that a racing
     * writer's value would be visible too, and reads again: ours is there, or we lost.
     */
    @Override
    public boolean compareAndSetConfig(String field, String expected, String value) {
        requireIndex();
        awaitWritesVisible(); // our own earlier writes of this entry must not look like someone else's
        String current = readConfig(field).map(ConfigEntry::value).orElse(null);
        if (!Objects.equals(current, expected)) {
            return false;
        }
        String createdAt = CreatedAt.now(clock);
        writeConfig(field, value, createdAt);
        try {
            awaitWritesVisible();
        } catch (SrouterException e) {
            return false; // not visible in time: another writer's value may be there instead
        }
        RetryPolicy.sleep(settings.settleDelay().toMillis());
        return readConfig(field).map(e -> value.equals(e.value()) && createdAt.equals(e.createdAt())).orElse(false);
    }

    /** Its id in this backend's layout: two records with one id would be one record. */
    @Override
    public String recordId(RecordKey key) {
        return RecordIds.pineconeVectorId(key.route(), key.utterance());
    }

    @Override
    public String describeLocation() {
        return "Pinecone index '" + indexName + "'" + (namespace.isEmpty() ? "" : " (namespace '" + namespace + "')")
                + (tls ? "" : " at " + controlHost);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (queryPool != null) {
                queryPool.shutdownNow();
            }
        }
        PineconeConnection c = data;
        if (c != null) {
            c.close();
        }
    }

    // ---- calls ----

    /** Whether the index does not exist (asked once; later calls trust the describe already made). */
    private boolean absent() {
        return model == null && describeModel().isEmpty();
    }

    /** The index's dimension; a missing index is an error naming it. */
    private int requireIndex() {
        IndexModel m = model;
        if (m == null) {
            m = describeModel().orElseThrow(this::missing);
        }
        return m.getDimension() == null ? -1 : m.getDimension();
    }

    private SrouterException missing() {
        return SrouterException.failure(describeLocation() + " does not exist: create it with srouter push --index pinecone (or sync)");
    }

    private VectorServiceBlockingStub stub() {
        PineconeConnection c = data;
        if (c == null) {
            synchronized (this) {
                c = data;
                if (c == null) {
                    IndexModel m = model != null ? model : describeModel().orElseThrow(this::missing);
                    PineconeConfig config = new PineconeConfig(apiKey, "srouter");
                    config.setHost(m.getHost());
                    config.setTLSEnabled(tls);
                    c = new PineconeConnection(config);
                    data = c;
                }
            }
        }
        return c.getBlockingStub().withDeadlineAfter(settings.retry().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @FunctionalInterface
    private interface DataCall<T> {
        T run(VectorServiceBlockingStub stub);
    }

    private <T> T dataCall(String what, DataCall<T> op) {
        return settings.retry().run(() -> op.run(stub()), t -> GrpcErrors.retryable(t) && !monthlyQuota(t),
                (cause, attempts) -> dataFailure(what, cause, attempts));
    }

    /** Whether a failure is a used-up monthly quota (a 429 that no retry within minutes can cure). */
    private static boolean monthlyQuota(Throwable t) {
        if (t instanceof PineconeUnmappedHttpException) {
            return t.getCause() instanceof org.openapitools.db_control.client.ApiException api && api.getCode() == 429
                    && MONTHLY_QUOTA.matcher(String.valueOf(t.getMessage())).find();
        }
        Status status = Status.fromThrowable(t);
        return status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
                && MONTHLY_QUOTA.matcher(status.getDescription()).find();
    }

    private RuntimeException dataFailure(String what, Throwable cause, int attempts) {
        if (cause instanceof SrouterException e) {
            return e;
        }
        Status status = Status.fromThrowable(cause);
        String tried = GrpcErrors.tried(attempts);
        String detail = GrpcErrors.detail(status);
        if (monthlyQuota(cause)) {
            return new SrouterException(ExitCode.FAILURE, "Pinecone refused to " + what + " on " + describeLocation()
                    + ": the project's monthly quota is used up (not retried): " + oneLine(status.getDescription()), cause);
        }
        return switch (status.getCode()) {
            // PERMISSION_DENIED (403) is not a bad key: Pinecone answers 403 for quotas too, so its message is kept (default).
            case UNAUTHENTICATED -> keyRejected(cause);
            case UNAVAILABLE -> new SrouterException(ExitCode.UNREACHABLE, "cannot reach " + describeLocation() + tried + ": " + detail, cause);
            case DEADLINE_EXCEEDED -> new SrouterException(ExitCode.UNREACHABLE, describeLocation() + " did not answer within "
                    + settings.retry().callTimeout().toSeconds() + " s" + tried + " (" + what + ")", cause);
            case RESOURCE_EXHAUSTED, ABORTED -> new SrouterException(ExitCode.UNREACHABLE, "Pinecone is rate-limiting or overloaded" + tried
                    + " (" + what + "): " + detail, cause);
            default -> new SrouterException(ExitCode.FAILURE, "Pinecone refused to " + what + " on " + describeLocation() + ": " + detail, cause);
        };
    }

    @FunctionalInterface
    private interface ControlCall<T> {
        T run();
    }

    private <T> T controlCall(String what, ControlCall<T> op) {
        return settings.retry().run(op::run, PineconeIndex::transientControl, (cause, attempts) -> controlFailure(what, cause, attempts));
    }

    private static boolean transientControl(Throwable t) {
        if (monthlyQuota(t)) {
            return false;
        }
        if (t instanceof PineconeUnmappedHttpException || t instanceof PineconeInternalServerException) {
            return true; // 429, 502, 503, 500
        }
        return t instanceof PineconeException && hasIoCause(t);
    }

    private static boolean hasIoCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private RuntimeException controlFailure(String what, Throwable cause, int attempts) {
        String tried = GrpcErrors.tried(attempts);
        if (cause instanceof PineconeNotFoundException) {
            return new IndexMissing();
        }
        if (cause instanceof PineconeAuthorizationException) {
            return keyRejected(cause);
        }
        if (cause instanceof PineconeForbiddenException) {
            // 403 is what Pinecone answers for quotas (e.g. "You've reached the max serverless indexes allowed in project
            // ..."), deletion protection and permissions; the key itself was accepted.
            return new SrouterException(ExitCode.FAILURE, "Pinecone refused to " + what + " (403 Forbidden): " + serverMessage(cause), cause);
        }
        if (monthlyQuota(cause)) {
            return new SrouterException(ExitCode.FAILURE, "Pinecone refused to " + what + ": the project's monthly quota is used up "
                    + "(not retried): " + serverMessage(cause), cause);
        }
        if (cause instanceof PineconeBadRequestException || cause instanceof PineconeAlreadyExistsException) {
            return new SrouterException(ExitCode.FAILURE, "Pinecone refused to " + what + ": " + firstLine(cause.getMessage()), cause);
        }
        if (cause instanceof PineconeException && hasIoCause(cause)) {
            return new SrouterException(ExitCode.UNREACHABLE, "cannot reach Pinecone at " + controlHost + tried + ": "
                    + firstLine(rootMessage(cause)), cause);
        }
        if (cause instanceof PineconeUnmappedHttpException || cause instanceof PineconeInternalServerException) {
            return new SrouterException(ExitCode.UNREACHABLE, "Pinecone at " + controlHost + " is rate-limiting or unavailable" + tried + " ("
                    + what + "): " + firstLine(cause.getMessage()), cause);
        }
        if (cause instanceof SrouterException e) {
            return e;
        }
        return new SrouterException(ExitCode.FAILURE, "Pinecone failed to " + what + ": " + firstLine(String.valueOf(cause.getMessage())), cause);
    }

    private SrouterException keyRejected(Throwable cause) {
        return new SrouterException(ExitCode.UNREACHABLE, "Pinecone rejected the API key (PINECONE_API_KEY) for " + describeLocation(),
                new RuntimeException(cause.getClass().getSimpleName()));
    }

    /**
     * The message of a control-plane error: the client puts the whole response body in the exception, which is
     * Pinecone's {@code {"error": {"code": ..., "message": ...}, "status": ...}} or, from older services, plain text.
     */
    private static String serverMessage(Throwable t) {
        String body = String.valueOf(t.getMessage());
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.path("message").isTextual()) {
                return oneLine(error.get("message").asText());
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the body as it came
        }
        return oneLine(body);
    }

    /** A server's message on one line (Pinecone's quota messages span two). */
    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The index does not exist. */
    private static final class IndexMissing extends RuntimeException {
        IndexMissing() {
            super(null, null, false, false);
        }
    }
}
