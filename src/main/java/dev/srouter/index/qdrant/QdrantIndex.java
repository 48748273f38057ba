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
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpsertPoints;
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
        long count = call("count the points of " + collection, t -> client.countAsync(collection, scopeFilter(), true, t));
        return new IndexInfo(true, count, (int) params.getSize(), metricName(params.getDistance()));
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
        Set<String> indexed = info.get().getPayloadSchemaMap().keySet();
        ensureKeywordIndex(indexed, ROUTE);
        if (namespace != null) {
            ensureKeywordIndex(indexed, NAMESPACE);
        }
        if (collectionInfo(CONFIG_COLLECTION).isEmpty()) {
            createCollection(CONFIG_COLLECTION, 1);
        }
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

    private void ensureKeywordIndex(Set<String> indexed, String field) {
        if (indexed.contains(field)) {
            return;
        }
        CreateFieldIndexCollection request = CreateFieldIndexCollection.newBuilder()
                .setCollectionName(collection)
                .setFieldName(field)
                .setFieldType(FieldType.FieldTypeKeyword)
                .setWait(true)
                .build();
        call("create the payload index on " + field, t -> client.createPayloadIndexAsync(request, t));
    }

    private Optional<CollectionInfo> collectionInfo(String name) {
        try {
            return Optional.of(call("read collection " + name, t -> client.getCollectionInfoAsync(name, t)));
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
        ScrollPoints.Builder request = ScrollPoints.newBuilder()
                .setCollectionName(collection)
                .setFilter(scopeFilter())
                .setLimit(Math.max(1, pageSize))
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(false));
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
        for (List<PointStruct> batch : bySize(new ArrayList<>(points.values()), PointStruct::getSerializedSize)) {
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
            List<ScoredPoint> points = call("query " + collection, t -> client.queryAsync(queryRequest(vector, topK, routeFilter), t));
            return hits(points);
        } catch (CollectionMissing e) {
            return List.of();
        }
    }

    @Override
    public List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        List<List<Hit>> out = new ArrayList<>(vectors.size());
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
        GetPoints request = GetPoints.newBuilder()
                .setCollectionName(CONFIG_COLLECTION)
                .addIds(configId(field))
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(false))
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
                .build();
        configWrite("write config entry " + field, t -> client.upsertAsync(request, t));
    }

    @Override
    public boolean compareAndSetConfig(String field, String expected, String value) {
        UpsertPoints.Builder request = UpsertPoints.newBuilder().setCollectionName(CONFIG_COLLECTION).setWait(true);
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

    /** The collection's vector size; a missing collection is an error naming it. */
    private int requireCollection() {
        if (knownDimension < 0) {
            knownDimension = collectionInfo(collection).map(i -> (int) vectorParams(i).getSize()).orElseThrow(this::missing);
        }
        return knownDimension;
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
        }, GrpcErrors::retryable, (cause, attempts) -> {
            Status status = Status.fromThrowable(cause);
            if (status.getCode() == Status.Code.NOT_FOUND && mentionsMissingCollection(status)) {
                return new CollectionMissing();
            }
            return failure(what, status, attempts, cause);
        });
    }

    private static boolean mentionsMissingCollection(Status status) {
        String d = status.getDescription();
        return d == null || d.contains("ollection");
    }

    private SrouterException failure(String what, Status status, int attempts, Throwable cause) {
        String where = endpoint.url();
        String tried = GrpcErrors.tried(attempts);
        String detail = GrpcErrors.detail(status);
        QdrantCallException wrapped = new QdrantCallException(status, cause);
        return switch (status.getCode()) {
            case UNAUTHENTICATED, PERMISSION_DENIED -> new SrouterException(ExitCode.UNREACHABLE, hasApiKey
                    ? "Qdrant rejected the API key at " + where + " (QDRANT_API_KEY)"
                    : "Qdrant at " + where + " needs an API key: set QDRANT_API_KEY", wrapped);
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
