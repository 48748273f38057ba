package dev.srouter.index.qdrant;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;

import com.google.common.util.concurrent.ListenableFuture;
import dev.srouter.core.Batches;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.CreatedAt;
import dev.srouter.index.GrpcErrors;
import dev.srouter.index.RecordIds;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.QueryFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.StrictModeConfig;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ReadConsistency;
import io.qdrant.client.grpc.Points.ReadConsistencyType;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.WriteOrdering;
import io.qdrant.client.grpc.Points.WriteOrderingType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * A Qdrant collection through the official Java client over gRPC, in semantic-router's layout
 * (DESIGN.md, "Remote layout"): one point per utterance with id
 * {@link RecordIds#qdrantPointId} and payload {@code sr_route}, {@code sr_utterance},
 * {@code metadata}, {@code sr_function_schemas} (ours; the Python library keeps function schemas
 * out of Qdrant) and {@code namespace} when one is set; config entries as points of the collection
 * {@value #CONFIG_COLLECTION} (one-dimensional vectors) with id {@link RecordIds#qdrantConfigId}
 * and payload {@code field}, {@code scope}, {@code value}, {@code created_at}.
 *
 * <p>Without a namespace the index sees only points that have none; with one, only that
 * namespace's points. Every write the sync depends on waits for the server to apply it
 * ({@code wait=true}). Calls that fail with UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED or
 * DEADLINE_EXCEEDED are retried with exponential backoff and jitter; every write is idempotent
 * (deterministic ids), so a retried write that had landed does no harm. A point whose id is not
 * the deterministic one (semantic-router before 0.1 let the client pick random ids) is still read,
 * and deletes and payload rewrites of its (route, utterance) reach it through the id seen on read.
 *
 * <p>{@link #compareAndSetConfig} is a real compare-and-set: a conditional upsert
 * ({@code update_filter} on the current value, {@code update_mode} insert-only or update-only)
 * that the server applies atomically, then a read-back of the entry.
 */
public final class QdrantIndex implements VectorIndex {
    /** The collection holding config entries (semantic-router's {@code sr_config}). */
    public static final String CONFIG_COLLECTION = "sr_config";
    static final String ROUTE = "sr_route";
    static final String UTTERANCE = "sr_utterance";
    static final String METADATA = "metadata";
    static final String FUNCTION_SCHEMAS = "sr_function_schemas";
    static final String NAMESPACE = "namespace";
    /** Upper bound on one write request: Qdrant's default limit is 32 MB; stay far below it. */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    /** Queries per QueryBatch call. */
    static final int MAX_QUERY_BATCH = 64;

    private final QdrantClient client;
    private final QdrantEndpoint endpoint;
    private final boolean hasApiKey;
    private final String collection;
    private final String namespace;
    private final String scope;
    private final String ownScope;
    private final Clock clock;
    private final RetryPolicy settings;
    /** Ids seen on read that are not the deterministic id of their (route, utterance). */
    private final Map<RecordKey, Set<String>> foreignIds = new ConcurrentHashMap<>();
    /** Vector size of the collection once a describe or create saw it; -1 until then. */
    private volatile int knownDimension = -1;
    /** The collection's strict mode and payload indexes as last read; null until then. */
    private volatile Strictness strictness;
    /** Whether this run made sure of srouter's payload indexes (done before its first write). */
    private volatile boolean indexesEnsured;
    /** The server's version from HealthCheck, read once per run; null until then. */
    private volatile String serverVersion;

    private QdrantIndex(QdrantClient client, QdrantEndpoint endpoint, boolean hasApiKey, String collection, String namespace,
            Clock clock, RetryPolicy settings) {
        this.client = client;
        this.endpoint = endpoint;
        this.hasApiKey = hasApiKey;
        this.collection = collection;
        this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
        this.scope = RecordIds.configScope(this.namespace, collection);
        this.ownScope = this.namespace == null ? collection : collection + "/" + this.namespace;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * An index on collection {@code collectionName} of the server at {@code endpoint}. Nothing is
     * sent until the first call.
     *
     * @param apiKey sent as the {@code api-key} header; null or empty for none. Never printed.
     * @param namespace null or empty for none
     */
    public static QdrantIndex connect(QdrantEndpoint endpoint, String apiKey, String collectionName, String namespace, Clock clock,
            RetryPolicy settings) {
        if (collectionName == null || collectionName.isBlank()) {
            throw SrouterException.usage("the Qdrant collection name (--index-name) must not be empty");
        }
        ChannelCredentials credentials = endpoint.tls() ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(endpoint.host(), endpoint.port(), credentials)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .userAgent("srouter")
                .build();
        QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(channel, true, false);
        boolean hasKey = apiKey != null && !apiKey.isEmpty();
        if (hasKey) {
            grpc.withApiKey(apiKey);
        }
        return new QdrantIndex(new QdrantClient(grpc.build()), endpoint, hasKey, collectionName, namespace, clock, settings);
    }

    // ---- collection ----

    @Override
    public IndexInfo describe() {
        Optional<CollectionInfo> info = collectionInfo(collection);
        if (info.isEmpty()) {
            return IndexInfo.missing();
        }
        VectorParams params = vectorParams(info.get());
        knownDimension = (int) params.getSize();
        Strictness strict = strictness();
        long count;
        if (strict.canFilterOn(NAMESPACE, namespace == null) && strict.exactCountAllowed()) {
            count = call("count the points of " + collection, t -> client.countAsync(collection, scopeFilter(), true, t));
        } else {
            count = countByScrolling(strict);
        }
        return new IndexInfo(true, count, (int) params.getSize(), metricName(params.getDistance()));
    }

    /**
     * The points of this index counted on a payload-only scroll of every point, for a strict-mode
     * collection that cannot filter on {@code namespace} (no index on it) or refuses exact counts.
     */
    private long countByScrolling(Strictness strict) {
        long count = 0;
        PointId offset = null;
        do {
            ScrollPoints.Builder request = ScrollPoints.newBuilder()
                    .setCollectionName(collection)
                    .setLimit(strict.pageSize(1000))
                    .setWithPayload(WithPayloadSelectorFactory.include(List.of(NAMESPACE, ROUTE, UTTERANCE)))
                    .setWithVectors(WithVectorsSelectorFactory.enable(false));
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = call("count the points of " + collection, t -> client.scrollAsync(request.build(), t));
            for (RetrievedPoint p : page.getResultList()) {
                if (inScope(p.getPayloadMap())) {
                    count++;
                }
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
        return count;
    }

    @Override
    public void create(int dimension) {
        Optional<CollectionInfo> info = collectionInfo(collection);
        if (info.isEmpty()) {
            createCollection(collection, dimension);
            info = collectionInfo(collection);
            if (info.isEmpty()) {
                throw SrouterException.failure(describeLocation() + ": the collection was created but cannot be read back");
            }
        }
        VectorParams params = vectorParams(info.get());
        if (params.getSize() != dimension || params.getDistance() != Distance.Cosine) {
            throw SrouterException.failure(describeLocation() + " holds vectors of dimension " + params.getSize() + " with "
                    + metricName(params.getDistance()) + " distance; the encoder makes vectors of dimension " + dimension
                    + " compared by cosine: use another --index-name, or the encoder that wrote it");
        }
        knownDimension = dimension;
        ensureIndexes(info.get());
        if (collectionInfo(CONFIG_COLLECTION).isEmpty()) {
            createCollection(CONFIG_COLLECTION, 1);
        }
    }

    /**
     * The payload indexes srouter's reads filter on: keyword indexes on {@code sr_route} (route
     * filters) and {@code namespace} (the scope of every read, with or without a namespace). A
     * collection in strict mode (Qdrant Cloud's default) refuses a filter on a key without an index,
     * so srouter makes them whenever it creates or writes a collection; a collection written by
     * semantic-router has neither. Created once per run, before the first write.
     */
    private void ensureIndexes(CollectionInfo info) {
        Set<String> indexed = info.getPayloadSchemaMap().keySet();
        Strictness s = Strictness.of(info);
        for (String field : List.of(ROUTE, NAMESPACE)) {
            if (ensureKeywordIndex(indexed, field)) {
                s = s.withKeywordIndex(field); // serves filters from now on (created with wait=true)
            }
        }
        strictness = s;
        indexesEnsured = true;
    }

    /** Before the first write of a run: srouter's payload indexes (see {@link #ensureIndexes}). */
    private void prepareWrite() {
        if (!indexesEnsured) {
            collectionInfo(collection).ifPresent(this::ensureIndexes);
        }
    }

    /** The collection's strict mode and payload indexes, read once (and again after srouter made an index). */
    private Strictness strictness() {
        Strictness s = strictness;
        if (s == null) {
            s = collectionInfo(collection).map(Strictness::of).orElse(Strictness.NONE);
            strictness = s;
        }
        return s;
    }

    private void createCollection(String name, int dimension) {
        CreateCollection request = CreateCollection.newBuilder()
                .setCollectionName(name)
                .setVectorsConfig(VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(dimension).setDistance(Distance.Cosine)))
                .build();
        try {
            call("create collection " + name, t -> client.createCollectionAsync(request, t));
        } catch (SrouterException e) {
            // Another process created it between our look and our create: that is what we wanted.
            if (!(e.getCause() instanceof QdrantCallException q && q.alreadyExists())) {
                throw e;
            }
        }
    }

    private boolean ensureKeywordIndex(Set<String> indexed, String field) {
        if (indexed.contains(field)) {
            return false;
        }
        CreateFieldIndexCollection request = CreateFieldIndexCollection.newBuilder()
                .setCollectionName(collection)
                .setFieldName(field)
                .setFieldType(FieldType.FieldTypeKeyword)
                .setWait(true)
                .build();
        call("create the payload index on " + field, t -> client.createPayloadIndexAsync(request, t));
        return true;
    }

    private Optional<CollectionInfo> collectionInfo(String name) {
        try {
            CollectionInfo info = call("read collection " + name, t -> client.getCollectionInfoAsync(name, t));
            if (name.equals(collection)) {
                strictness = Strictness.of(info);
            }
            return Optional.of(info);
        } catch (CollectionMissing e) {
            return Optional.empty();
        }
    }

    private VectorParams vectorParams(CollectionInfo info) {
        VectorsConfig vectors = info.getConfig().getParams().getVectorsConfig();
        if (!vectors.hasParams()) {
            throw SrouterException.failure(describeLocation() + " uses named vectors; srouter (like semantic-router) needs a "
                    + "collection with one unnamed vector per point");
        }
        return vectors.getParams();
    }

    private static String metricName(Distance distance) {
        return switch (distance) {
            case Cosine -> "cosine";
            case Dot -> "dot";
            case Euclid -> "euclid";
            case Manhattan -> "manhattan";
            default -> distance.name().toLowerCase(Locale.ROOT);
        };
    }

    // ---- records ----

    @Override
    public RecordPage read(String pageToken, int pageSize) {
        Strictness strict = strictness();
        ScrollPoints.Builder request = ScrollPoints.newBuilder()
                .setCollectionName(collection)
                .setLimit(strict.pageSize(Math.max(1, pageSize)))
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(false));
        // Strict mode without an index on namespace: read every point and keep this index's here.
        boolean filterHere = !strict.canFilterOn(NAMESPACE, namespace == null);
        if (!filterHere) {
            request.setFilter(scopeFilter());
        }
        if (pageToken != null) {
            request.setOffset(PageTokens.decode(pageToken));
        }
        ScrollResponse response;
        try {
            response = call("read the points of " + collection, t -> client.scrollAsync(request.build(), t));
        } catch (CollectionMissing e) {
            return new RecordPage(List.of(), null);
        }
        List<StoredRecord> records = new ArrayList<>(response.getResultCount());
        for (RetrievedPoint p : response.getResultList()) {
            if (filterHere && !inScope(p.getPayloadMap())) {
                continue;
            }
            StoredRecord r = toRecord(p.getPayloadMap());
            if (r == null) {
                continue; // not a route record (another tool's point in the same collection)
            }
            String id = PageTokens.idText(p.getId());
            if (!id.equals(pointId(r.route(), r.utterance()))) {
                foreignIds.computeIfAbsent(r.key(), k -> ConcurrentHashMap.newKeySet()).add(id);
            }
            records.add(r);
        }
        return new RecordPage(records, response.hasNextPageOffset() ? PageTokens.encode(response.getNextPageOffset()) : null);
    }

    @SuppressWarnings("unchecked")
    private static StoredRecord toRecord(Map<String, Value> payload) {
        Value route = payload.get(ROUTE);
        Value utterance = payload.get(UTTERANCE);
        if (route == null || utterance == null || !route.hasStringValue() || !utterance.hasStringValue()) {
            return null;
        }
        Map<String, Object> metadata = payload.containsKey(METADATA) && QdrantValues.fromValue(payload.get(METADATA)) instanceof Map<?, ?> m
                ? (Map<String, Object>) m : Map.of();
        List<Map<String, Object>> schemas = new ArrayList<>();
        if (payload.containsKey(FUNCTION_SCHEMAS) && QdrantValues.fromValue(payload.get(FUNCTION_SCHEMAS)) instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    schemas.add((Map<String, Object>) m);
                }
            }
        }
        return new StoredRecord(route.getStringValue(), utterance.getStringValue(), metadata, List.copyOf(schemas));
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        VectorIndex.requireDimension(this, requireCollection(), records);
        prepareWrite();
        // Later records of one key win, as in one upsert of the same id twice.
        Map<String, PointStruct> points = new LinkedHashMap<>();
        for (VectorRecord r : records) {
            String id = pointId(r.route(), r.utterance());
            points.remove(id);
            points.put(id, PointStruct.newBuilder()
                    .setId(PageTokens.id(id))
                    .setVectors(VectorsFactory.vectors(r.vector()))
                    .putAllPayload(payload(r.stored()))
                    .build());
        }
        int maxBatch = strictness().upsertBatch();
        for (List<PointStruct> batch : Batches.bySize(new ArrayList<>(points.values()), PointStruct::getSerializedSize,
                MAX_REQUEST_BYTES, maxBatch)) {
            UpsertPoints request = UpsertPoints.newBuilder().setCollectionName(collection).addAllPoints(batch).setWait(true).build();
            writeTarget("write " + batch.size() + " points", t -> client.upsertAsync(request, t));
        }
        // Points of these keys under ids that are not the deterministic ones would now be duplicates.
        List<PointId> stray = new ArrayList<>();
        for (VectorRecord r : records) {
            Set<String> ids = foreignIds.remove(r.key());
            if (ids != null) {
                ids.forEach(id -> stray.add(PageTokens.id(id)));
            }
        }
        deleteIds(stray);
    }

    @Override
    public void updatePayload(List<StoredRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        prepareWrite();
        Map<String, StoredRecord> byId = new LinkedHashMap<>();
        for (StoredRecord r : records) {
            byId.put(pointId(r.route(), r.utterance()), r);
            foreignIds.getOrDefault(r.key(), Set.of()).forEach(id -> byId.put(id, r));
        }
        GetPoints lookup = GetPoints.newBuilder()
                .setCollectionName(collection)
                .addAllIds(byId.keySet().stream().map(PageTokens::id).toList())
                .setWithPayload(WithPayloadSelectorFactory.enable(false))
                .setWithVectors(WithVectorsSelectorFactory.enable(false))
                .build();
        List<RetrievedPoint> existing = writeTarget("find the points to update", t -> client.retrieveAsync(lookup, t));
        List<PointsUpdateOperation> operations = new ArrayList<>();
        for (RetrievedPoint p : existing) {
            StoredRecord r = byId.get(PageTokens.idText(p.getId()));
            if (r == null) {
                continue;
            }
            operations.add(PointsUpdateOperation.newBuilder()
                    .setOverwritePayload(PointsUpdateOperation.OverwritePayload.newBuilder()
                            .setPointsSelector(selector(List.of(p.getId())))
                            .putAllPayload(payload(r)))
                    .build());
        }
        for (List<PointsUpdateOperation> batch : bySize(operations, PointsUpdateOperation::getSerializedSize)) {
            var request = io.qdrant.client.grpc.Points.UpdateBatchPoints.newBuilder()
                    .setCollectionName(collection).addAllOperations(batch).setWait(true).build();
            writeTarget("update the payload of " + batch.size() + " points", t -> client.batchUpdateAsync(request, t));
        }
    }

    @Override
    public void delete(Collection<RecordKey> keys) {
        if (keys.isEmpty()) {
            return;
        }
        prepareWrite();
        Set<String> ids = new LinkedHashSet<>();
        for (RecordKey k : keys) {
            ids.add(pointId(k.route(), k.utterance()));
            Set<String> foreign = foreignIds.remove(k);
            if (foreign != null) {
                ids.addAll(foreign);
            }
        }
        deleteIds(ids.stream().map(PageTokens::id).toList());
    }

    private void deleteIds(List<PointId> ids) {
        if (ids.isEmpty()) {
            return;
        }
        for (List<PointId> batch : bySize(ids, PointId::getSerializedSize)) {
            DeletePoints request = DeletePoints.newBuilder().setCollectionName(collection).setPoints(selector(batch)).setWait(true).build();
            try {
                call("delete " + batch.size() + " points", t -> client.deleteAsync(request, t));
            } catch (CollectionMissing e) {
                return; // nothing to delete
            }
        }
    }

    // ---- query ----

    @Override
    public List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        try {
            requireQueryFilters(routeFilter);
            List<ScoredPoint> points = call("query " + collection, t -> client.queryAsync(queryRequest(vector, topK, routeFilter), t));
            return hits(points);
        } catch (CollectionMissing e) {
            return List.of();
        }
    }

    @Override
    public List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        List<List<Hit>> out = new ArrayList<>(vectors.size());
        if (!vectors.isEmpty()) {
            try {
                requireQueryFilters(routeFilter);
            } catch (CollectionMissing e) {
                vectors.forEach(v -> out.add(List.of()));
                return out;
            }
        }
        for (List<float[]> batch : Batches.of(vectors, MAX_QUERY_BATCH)) {
            List<QueryPoints> queries = batch.stream().map(v -> queryRequest(v, topK, routeFilter)).toList();
            try {
                List<BatchResult> results = call("query " + collection, t -> client.queryBatchAsync(collection, queries, null, t));
                results.forEach(r -> out.add(hits(r.getResultList())));
            } catch (CollectionMissing e) {
                queries.forEach(q -> out.add(List.of()));
            }
        }
        return out;
    }

    /**
     * Refuses, before any query, a filter a strict-mode collection would refuse: a query cannot do
     * without the namespace scope (the nearest points of other namespaces would crowd out this one's),
     * so a missing index stops with a message naming it and how to create it.
     */
    private void requireQueryFilters(Set<String> routeFilter) {
        Strictness strict = strictness();
        if (!strict.canFilterOn(NAMESPACE, namespace == null)) {
            throw missingIndex(NAMESPACE);
        }
        if (!routeFilter.isEmpty() && !strict.canFilterOn(ROUTE, false)) {
            throw missingIndex(ROUTE);
        }
    }

    private SrouterException missingIndex(String field) {
        return SrouterException.failure(describeLocation() + " is in strict mode and has no payload index on '" + field
                + "', which srouter's queries filter on; any srouter push or sync that writes to it creates it, or create it with "
                + "Qdrant's API: PUT /collections/" + collection + "/index {\"field_name\": \"" + field
                + "\", \"field_schema\": \"keyword\"}");
    }

    private QueryPoints queryRequest(float[] vector, int topK, Set<String> routeFilter) {
        Filter.Builder filter = scopeFilter().toBuilder();
        if (!routeFilter.isEmpty()) {
            filter.addMust(matchKeywords(ROUTE, List.copyOf(routeFilter)));
        }
        return QueryPoints.newBuilder()
                .setCollectionName(collection)
                .setQuery(QueryFactory.nearest(vector))
                .setFilter(filter)
                .setLimit(Math.max(1, topK))
                .setWithPayload(WithPayloadSelectorFactory.include(List.of(ROUTE, UTTERANCE)))
                .build();
    }

    private static List<Hit> hits(List<ScoredPoint> points) {
        List<Hit> hits = new ArrayList<>(points.size());
        for (ScoredPoint p : points) {
            Value route = p.getPayloadMap().get(ROUTE);
            Value utterance = p.getPayloadMap().get(UTTERANCE);
            if (route != null && utterance != null) {
                hits.add(new Hit(route.getStringValue(), utterance.getStringValue(), p.getScore()));
            }
        }
        return hits;
    }

    // ---- config ----

    @Override
    public Optional<ConfigEntry> readConfig(String field) {
        // Majority: on a replicated sr_config, a read-back of the lease must see what the write made.
        GetPoints request = GetPoints.newBuilder()
                .setCollectionName(CONFIG_COLLECTION)
                .addIds(configId(field))
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(false))
                .setReadConsistency(ReadConsistency.newBuilder().setType(ReadConsistencyType.Majority))
                .build();
        List<RetrievedPoint> points;
        try {
            points = call("read config entry " + field, t -> client.retrieveAsync(request, t));
        } catch (CollectionMissing e) {
            return Optional.empty();
        }
        if (points.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Value> payload = points.get(0).getPayloadMap();
        Object value = payload.containsKey("value") ? QdrantValues.fromValue(payload.get("value")) : null;
        Object createdAt = payload.containsKey("created_at") ? QdrantValues.fromValue(payload.get("created_at")) : null;
        return Optional.of(new ConfigEntry(field, value == null ? null : value.toString(), createdAt == null ? null : createdAt.toString()));
    }

    @Override
    public void writeConfig(String field, String value) {
        UpsertPoints request = UpsertPoints.newBuilder()
                .setCollectionName(CONFIG_COLLECTION)
                .addPoints(configPoint(field, value, CreatedAt.now(clock)))
                .setWait(true)
                .setOrdering(STRONG)
                .build();
        configWrite("write config entry " + field, t -> client.upsertAsync(request, t));
    }

    @Override
    public boolean compareAndSetConfig(String field, String expected, String value) {
        requireConditionalWrites();
        // Strong: the write goes through the shard's leader, so two writers are ordered on every replica.
        UpsertPoints.Builder request = UpsertPoints.newBuilder().setCollectionName(CONFIG_COLLECTION).setWait(true).setOrdering(STRONG);
        String createdAt = CreatedAt.now(clock);
        request.addPoints(configPoint(field, value, createdAt));
        if (expected == null) {
            // Insert only: an existing entry never matches a filter that excludes its own id.
            request.setUpdateMode(UpdateMode.InsertOnly)
                    .setUpdateFilter(Filter.newBuilder().addMustNot(hasId(configId(field))));
        } else {
            // update_filter inserts an absent point; an absent entry is not the expected value.
            requireCollection();
            if (!readConfig(field).map(e -> expected.equals(e.value())).orElse(false)) {
                return false;
            }
            request.setUpdateMode(UpdateMode.UpdateOnly)
                    .setUpdateFilter(Filter.newBuilder().addMust(matchKeyword("value", expected)));
        }
        configWrite("write config entry " + field, t -> client.upsertAsync(request.build(), t));
        // The server applied the write or skipped it atomically; the entry says which.
        return readConfig(field).map(e -> value.equals(e.value()) && createdAt.equals(e.createdAt())).orElse(false);
    }

    /**
     * A config write. Entries live in another collection, so writing one for an index that does not
     * exist is refused all the same; the config collection itself is made when missing (a collection
     * written by semantic-router may have none yet).
     */
    private <T> T configWrite(String what, Call<T> op) {
        requireCollection();
        prepareWrite();
        try {
            return call(what, op);
        } catch (CollectionMissing e) {
            createCollection(CONFIG_COLLECTION, 1);
            return writeTarget(what, op);
        }
    }

    private PointStruct configPoint(String field, String value, String createdAt) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("field", field);
        payload.put("scope", scopeOf(field));
        payload.put("value", value);
        payload.put("created_at", createdAt);
        return PointStruct.newBuilder()
                .setId(configId(field))
                .setVectors(VectorsFactory.vectors(1.0f))
                .putAllPayload(QdrantValues.toPayload(payload))
                .build();
    }

    private PointId configId(String field) {
        return PageTokens.id(RecordIds.qdrantConfigId(field, scopeOf(field)));
    }

    /**
     * The scope of a config entry. semantic-router's fields ({@code sr_hash}, {@code sr_lock}) use its
     * scope, the namespace when there is one, else the collection name; {@code sr_config} is one
     * collection for the whole server, so two collections with the same namespace share those two
     * entries, as they do for the Python library. srouter's own fields (manifest, lease) must not be
     * shared: their scope is the collection name, plus {@code /namespace} when there is one.
     */
    private String scopeOf(String field) {
        return field.startsWith("sr_") ? scope : ownScope;
    }

    /**
     * Refuses to go on where the server cannot apply the lease's compare-and-set: Qdrant decodes
     * requests with prost, which drops fields it does not know, so before 1.15.4 (no
     * {@code update_filter}) a conditional upsert is a plain upsert and two syncs could both take the
     * lock. From 1.15.4 {@code update_filter} alone holds (insert: a filter no existing point matches;
     * takeover: a filter on the current value); 1.17 adds {@code update_mode}. The version comes from
     * HealthCheck, which needs no key, read once per run; a version srouter cannot parse (a custom
     * build) is let through.
     */
    private void requireConditionalWrites() {
        String version = serverVersion();
        int[] v = parseVersion(version);
        if (v != null && compare(v, MIN_LOCK_VERSION) < 0) {
            throw SrouterException.failure("Qdrant at " + endpoint.url() + " is version " + version
                    + ", which ignores conditional writes (update_filter, Qdrant 1.15.4 or newer), so srouter's lock could not keep "
                    + "two syncs apart; nothing was written. Upgrade the server to 1.15.4 or newer (1.17 or newer recommended); diff, "
                    + "status and route work on this version");
        }
    }

    /** The lowest Qdrant version whose conditional upsert ({@code update_filter}) the lease relies on. */
    static final int[] MIN_LOCK_VERSION = {1, 15, 4};

    /** The server's version from HealthCheck (no key needed), once per run. */
    String serverVersion() {
        String v = serverVersion;
        if (v == null) {
            v = call("check the server's version", t -> client.healthCheckAsync(t)).getVersion();
            serverVersion = v;
        }
        return v;
    }

    /** {@code "1.15.3"} (maybe with a suffix such as {@code -dev}) as {1, 15, 3}; null when it is not a version. */
    static int[] parseVersion(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?").matcher(version == null ? "" : version.strip());
        if (!m.find()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static final WriteOrdering STRONG = WriteOrdering.newBuilder().setType(WriteOrderingType.Strong).build();

    /** The collection's vector size; a missing collection is an error naming it. */
    private int requireCollection() {
        if (knownDimension < 0) {
            knownDimension = collectionInfo(collection).map(i -> (int) vectorParams(i).getSize()).orElseThrow(this::missing);
        }
        return knownDimension;
    }

    /** Its id in this backend's layout: two records with one id would be one record. */
    @Override
    public String recordId(RecordKey key) {
        return pointId(key.route(), key.utterance());
    }

    @Override
    public String describeLocation() {
        return "Qdrant collection '" + collection + "'" + (namespace == null ? "" : " (namespace '" + namespace + "')") + " at "
                + endpoint.url();
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- layout ----

    private String pointId(String route, String utterance) {
        return RecordIds.qdrantPointId(namespace, route, utterance);
    }

    private Map<String, Value> payload(StoredRecord r) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put(ROUTE, r.route());
        payload.put(UTTERANCE, r.utterance());
        payload.put(METADATA, r.metadata());
        if (!r.functionSchemas().isEmpty()) {
            payload.put(FUNCTION_SCHEMAS, r.functionSchemas());
        }
        if (namespace != null) {
            payload.put(NAMESPACE, namespace);
        }
        return QdrantValues.toPayload(payload);
    }

    /**
     * Whether a point's payload is in this index's scope, as {@link #scopeFilter()} decides on the
     * server: without a namespace, points whose {@code namespace} is empty (absent, null or an empty
     * list, Qdrant's {@code is_empty}); with one, points whose {@code namespace} is it.
     */
    private boolean inScope(Map<String, Value> payload) {
        Value ns = payload.get(NAMESPACE);
        if (namespace == null) {
            return ns == null || ns.hasNullValue() || (ns.hasListValue() && ns.getListValue().getValuesCount() == 0);
        }
        if (ns == null) {
            return false;
        }
        if (ns.hasStringValue()) {
            return ns.getStringValue().equals(namespace);
        }
        return ns.hasListValue() && ns.getListValue().getValuesList().stream()
                .anyMatch(v -> v.hasStringValue() && v.getStringValue().equals(namespace));
    }

    /** The points of this index: those of its namespace, or those with none. */
    private Filter scopeFilter() {
        return namespace == null
                ? Filter.newBuilder().addMust(isEmpty(NAMESPACE)).build()
                : Filter.newBuilder().addMust(matchKeyword(NAMESPACE, namespace)).build();
    }

    /** Splits items into requests of at most {@link #MAX_REQUEST_BYTES}. */
    private static <T> List<List<T>> bySize(List<T> items, ToIntFunction<T> size) {
        return Batches.bySize(items, size, MAX_REQUEST_BYTES, Integer.MAX_VALUE);
    }

    private static PointsSelector selector(List<PointId> ids) {
        return PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addAllIds(ids)).build();
    }

    // ---- calls, retries and errors ----

    /** A call whose target must exist: a missing collection is an error naming the index. */
    private <T> T writeTarget(String what, Call<T> op) {
        try {
            return call(what, op);
        } catch (CollectionMissing e) {
            throw missing();
        }
    }

    private SrouterException missing() {
        return SrouterException.failure(describeLocation() + " does not exist: create it with srouter push or srouter sync");
    }

    @FunctionalInterface
    private interface Call<T> {
        ListenableFuture<T> start(Duration timeout);
    }

    /**
     * Runs a call with the retry policy: UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED and DEADLINE_EXCEEDED
     * are retried. A missing collection surfaces as {@link CollectionMissing} for the caller to decide;
     * other failures as a one-line {@link SrouterException}.
     */
    private <T> T call(String what, Call<T> op) {
        return settings.run(() -> {
            ListenableFuture<T> future = op.start(settings.callTimeout());
            try {
                return future.get();
            } catch (InterruptedException e) {
                future.cancel(true);
                throw e;
            }
        }, failure -> GrpcErrors.retryable(failure) && tlsMismatch(failure) == null, (cause, attempts) -> {
            Status status = Status.fromThrowable(cause);
            if (status.getCode() == Status.Code.NOT_FOUND && mentionsMissingCollection(status)) {
                return new CollectionMissing();
            }
            return failure(what, status, attempts, cause);
        });
    }

    /** Whether the client and server disagree on TLS, probing the server once for a plaintext connection closed without an answer. */
    private TlsMismatch tlsMismatch(Throwable failure) {
        TlsMismatch known = TlsMismatch.of(failure, endpoint.tls());
        if (known != null || endpoint.tls()) {
            return known;
        }
        Status status = Status.fromThrowable(failure);
        if (status.getCode() != Status.Code.UNAVAILABLE || !String.valueOf(status.getDescription()).contains("Network closed for unknown reason")) {
            return null;
        }
        Boolean tls = serverSpeaksTls;
        if (tls == null) {
            tls = endpoint.speaksTls(Duration.ofSeconds(5));
            serverSpeaksTls = tls;
        }
        return tls ? TlsMismatch.SERVER_SPEAKS_TLS : null;
    }

    /** Whether the server answered a TLS probe, once a plaintext connection was closed without an answer; null until then. */
    private volatile Boolean serverSpeaksTls;

    private static boolean mentionsMissingCollection(Status status) {
        String d = status.getDescription();
        return d == null || d.contains("ollection");
    }

    private SrouterException failure(String what, Status status, int attempts, Throwable cause) {
        String where = endpoint.url();
        String tried = GrpcErrors.tried(attempts);
        String detail = GrpcErrors.detail(status);
        QdrantCallException wrapped = new QdrantCallException(status, cause);
        TlsMismatch tls = tlsMismatch(cause);
        if (tls != null) {
            return new SrouterException(ExitCode.UNREACHABLE, tls.message(endpoint), wrapped);
        }
        return switch (status.getCode()) {
            case UNAUTHENTICATED -> new SrouterException(ExitCode.UNREACHABLE, hasApiKey
                    ? "Qdrant rejected the API key at " + where + " (QDRANT_API_KEY)"
                    : "Qdrant at " + where + " needs an API key: set QDRANT_API_KEY", wrapped);
            // The key was read, and it may not do this: a read-only key, or a JWT without access (or an expired one).
            case PERMISSION_DENIED -> new SrouterException(ExitCode.UNREACHABLE, hasApiKey
                    ? "Qdrant at " + where + " did not let the API key (QDRANT_API_KEY) " + what + ": " + detail
                            + " (a read-only key, or a token without access to this collection?)"
                    : "Qdrant at " + where + " refused to " + what + " without an API key: " + detail + "; set QDRANT_API_KEY", wrapped);
            case UNAVAILABLE -> new SrouterException(ExitCode.UNREACHABLE, "cannot reach Qdrant at " + where + tried + ": " + detail
                    + (endpoint.port() == QdrantEndpoint.REST_PORT ? " (6333 is Qdrant's REST port; srouter speaks gRPC, port "
                            + QdrantEndpoint.GRPC_PORT + " by default)" : ""), wrapped);
            case DEADLINE_EXCEEDED -> new SrouterException(ExitCode.UNREACHABLE, "Qdrant at " + where + " did not answer within "
                    + settings.callTimeout().toSeconds() + " s" + tried + " (" + what + ")", wrapped);
            case RESOURCE_EXHAUSTED, ABORTED -> new SrouterException(ExitCode.UNREACHABLE, "Qdrant at " + where + " is overloaded"
                    + tried + ": " + detail, wrapped);
            case UNIMPLEMENTED -> new SrouterException(ExitCode.FAILURE, "Qdrant at " + where + " does not support the call to " + what
                    + " (" + detail + "): srouter needs Qdrant 1.17 or newer", wrapped);
            default -> new SrouterException(ExitCode.FAILURE, "Qdrant at " + where + " refused to " + what + ": " + detail, wrapped);
        };
    }

    /**
     * A client and server that disagree on TLS, told apart from an unreachable server: TLS towards a
     * plaintext server fails the handshake (Netty's {@code NotSslRecordException}, "not an SSL/TLS
     * record", or another {@code SSLException}); plaintext towards a TLS server gets no HTTP/2 answer
     * ("First received frame was not SETTINGS", or the connection closed "for unknown reason").
     * Neither is retried: it will not change.
     */
    enum TlsMismatch {
        SERVER_IS_PLAINTEXT, SERVER_SPEAKS_TLS;

        static TlsMismatch of(Throwable failure, boolean clientTls) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                String name = t.getClass().getName();
                String message = String.valueOf(t.getMessage());
                if (clientTls && (t instanceof javax.net.ssl.SSLException || name.endsWith("NotSslRecordException"))
                        && (name.endsWith("NotSslRecordException") || message.contains("not an SSL/TLS record")
                                || message.contains("Unsupported or unrecognized SSL message"))) {
                    return SERVER_IS_PLAINTEXT;
                }
                if (!clientTls && (message.contains("First received frame was not SETTINGS")
                        || message.contains("HTTP/1.1 header parser received no bytes") || message.contains("\\x15\\x03"))) {
                    return SERVER_SPEAKS_TLS;
                }
            }
            return null;
        }

        String message(QdrantEndpoint endpoint) {
            String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
            return this == SERVER_IS_PLAINTEXT
                    ? "Qdrant at " + endpoint.url() + " does not speak TLS (the TLS handshake got a plaintext answer): use http://" + host
                            + ":" + endpoint.port()
                    : "Qdrant at " + endpoint.url() + " speaks TLS (a plaintext request got no gRPC answer): use https://" + host + ":"
                            + endpoint.port();
        }
    }

    /** The gRPC status behind a failure, kept as the cause of the one-line {@link SrouterException}. */
    static final class QdrantCallException extends RuntimeException {
        private final Status status;

        QdrantCallException(Status status, Throwable cause) {
            super(status.toString(), cause, false, false);
            this.status = status;
        }

        Status status() {
            return status;
        }

        boolean alreadyExists() {
            String d = status.getDescription();
            return status.getCode() == Status.Code.ALREADY_EXISTS || (d != null && d.contains("already exists"));
        }
    }

    /** A call named a collection that does not exist. */
    private static final class CollectionMissing extends RuntimeException {
        CollectionMissing() {
            super(null, null, false, false);
        }
    }

    /**
     * What a collection's strict mode ({@code strict_mode_config} in its info) lets srouter send, as
     * the server checks it (qdrant/qdrant {@code lib/collection/src/operations/verification/mod.rs}):
     * only {@code unindexed_filtering_retrieve: false} refuses a read filter on a key without an index
     * that serves the condition (a keyword index for a keyword match; an index of any type for
     * {@code is_empty}, {@code lib/collection/src/problems/unindexed_field.rs}); {@code max_query_limit}
     * caps the scroll page; {@code search_allow_exact: false} refuses an exact count;
     * {@code upsert_max_batchsize} caps the points of one upsert.
     */
    record Strictness(boolean enabled, boolean unindexedFilteringAllowed, boolean exactAllowed, long maxQueryLimit,
            long maxUpsertBatch, Map<String, PayloadSchemaType> indexes) {
        static final Strictness NONE = new Strictness(false, true, true, Long.MAX_VALUE, Long.MAX_VALUE, Map.of());

        static Strictness of(CollectionInfo info) {
            Map<String, PayloadSchemaType> indexes = new LinkedHashMap<>();
            info.getPayloadSchemaMap().forEach((k, v) -> indexes.put(k, v.getDataType()));
            if (!info.getConfig().hasStrictModeConfig()) {
                return new Strictness(false, true, true, Long.MAX_VALUE, Long.MAX_VALUE, indexes);
            }
            StrictModeConfig c = info.getConfig().getStrictModeConfig();
            boolean on = c.hasEnabled() && c.getEnabled();
            return new Strictness(on,
                    !on || !c.hasUnindexedFilteringRetrieve() || c.getUnindexedFilteringRetrieve(),
                    !on || !c.hasSearchAllowExact() || c.getSearchAllowExact(),
                    on && c.hasMaxQueryLimit() ? Integer.toUnsignedLong(c.getMaxQueryLimit()) : Long.MAX_VALUE,
                    on && c.hasUpsertMaxBatchsize() ? c.getUpsertMaxBatchsize() : Long.MAX_VALUE,
                    indexes);
        }

        /** Whether a read may filter on {@code key}: with a keyword match, or (anyIndex) an is_empty condition. */
        boolean canFilterOn(String key, boolean anyIndex) {
            if (unindexedFilteringAllowed) {
                return true;
            }
            PayloadSchemaType type = indexes.get(key);
            return type != null && (anyIndex || type == PayloadSchemaType.Keyword);
        }

        Strictness withKeywordIndex(String field) {
            Map<String, PayloadSchemaType> more = new LinkedHashMap<>(indexes);
            more.put(field, PayloadSchemaType.Keyword);
            return new Strictness(enabled, unindexedFilteringAllowed, exactAllowed, maxQueryLimit, maxUpsertBatch, Map.copyOf(more));
        }

        boolean exactCountAllowed() {
            return exactAllowed;
        }

        int pageSize(int wanted) {
            return (int) Math.max(1, Math.min(wanted, maxQueryLimit));
        }

        int upsertBatch() {
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxUpsertBatch));
        }
    }

    /** Page tokens and point ids: a UUID as its text, an integer id as {@code #123}. */
    static final class PageTokens {
        private PageTokens() {}

        static PointId id(String text) {
            return text.startsWith("#")
                    ? PointId.newBuilder().setNum(Long.parseUnsignedLong(text.substring(1))).build()
                    : PointId.newBuilder().setUuid(text).build();
        }

        static String idText(PointId id) {
            return id.hasNum() ? "#" + Long.toUnsignedString(id.getNum()) : id.getUuid();
        }

        static String encode(PointId id) {
            return idText(id);
        }

        static PointId decode(String token) {
            try {
                if (!token.startsWith("#")) {
                    UUID.fromString(token);
                }
                return id(token);
            } catch (IllegalArgumentException e) {
                throw SrouterException.failure("not a Qdrant page token: " + token);
            }
        }
    }
}
