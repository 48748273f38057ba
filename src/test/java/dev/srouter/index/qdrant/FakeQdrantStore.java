package dev.srouter.index.qdrant;

import static dev.srouter.index.qdrant.FakeQdrantFilters.invalid;
import static dev.srouter.index.qdrant.FakeQdrantFilters.unimplemented;

import dev.srouter.index.qdrant.FakeQdrantFilters.PointKey;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.OptimizerStatus;
import io.qdrant.client.grpc.Collections.OptimizersConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.StrictModeConfig;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Collections.WalConfigDiff;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of {@link FakeQdrantServer}: collections of points with one unnamed dense vector
 * and a payload each, and the Qdrant operations on them. Every public operation runs under the
 * store's monitor, so a request is atomic with respect to every other one (a conditional upsert
 * is a real compare-and-set). Failures are {@link StatusRuntimeException}s carrying the status and
 * message real Qdrant answers with.
 */
final class FakeQdrantStore {
    /** One stored point; immutable, replaced on every change. */
    record StoredPoint(PointKey id, float[] vector, Map<String, Value> payload) {}

    /** One collection. */
    static final class Coll {
        final String name;
        final int dim;
        final Distance distance;
        final VectorParams params;
        TreeMap<PointKey, StoredPoint> points = new TreeMap<>();
        final Map<String, FieldIndex> fieldIndexes = new LinkedHashMap<>();
        /** Strict mode as set at creation or since; null when the collection never had one. */
        StrictModeConfig strict;
        long operations;

        Coll(String name, VectorParams params) {
            this.name = name;
            this.dim = (int) params.getSize();
            this.distance = params.getDistance();
            this.params = params;
        }
    }

    /** A payload index as recorded by CreateFieldIndex. */
    record FieldIndex(PayloadSchemaType type, PayloadIndexParams params) {}

    private final Map<String, Coll> collections = new TreeMap<>();
    /** Strict mode for collections created without one (Qdrant Cloud turns it on for new collections); null: off. */
    private StrictModeConfig defaultStrict;

    // ---- collections ----------------------------------------------------------------------

    static StatusRuntimeException collectionNotFound(String name) {
        return Status.NOT_FOUND.withDescription("Not found: Collection `" + name + "` doesn't exist!").asRuntimeException();
    }

    synchronized Coll coll(String name) {
        Coll c = collections.get(name);
        if (c == null) {
            throw collectionNotFound(name);
        }
        return c;
    }

    synchronized void create(CreateCollection req) {
        String name = req.getCollectionName();
        if (name.isEmpty() || name.length() > 255 || name.matches(".*[<>:\"/\\\\|?*\\x00].*")) {
            throw invalid("Validation error in body: [collection_name: invalid collection name " + name + "]");
        }
        if (req.hasSparseVectorsConfig() && req.getSparseVectorsConfig().getMapCount() > 0) {
            throw unimplemented("sparse vectors (collection " + name + ")");
        }
        if (!req.hasVectorsConfig() || req.getVectorsConfig().getConfigCase() == VectorsConfig.ConfigCase.CONFIG_NOT_SET) {
            throw unimplemented("collections without a dense vector (collection " + name + ")");
        }
        if (req.getVectorsConfig().hasParamsMap()) {
            throw unimplemented("named vectors (collection " + name + "); use one unnamed vector");
        }
        VectorParams p = req.getVectorsConfig().getParams();
        if (p.hasMultivectorConfig()) {
            throw unimplemented("multivectors (collection " + name + ")");
        }
        if (p.getSize() < 1 || p.getSize() > 65536) {
            throw invalid("Validation error in body: [vectors_config.size: value " + p.getSize()
                    + " invalid, must be from 1 to 65536]");
        }
        if (p.getDistance() == Distance.UnknownDistance || p.getDistance() == Distance.UNRECOGNIZED) {
            throw invalid("Wrong input: unknown distance " + p.getDistance());
        }
        if (collections.containsKey(name)) {
            throw invalid("Wrong input: Collection `" + name + "` already exists!");
        }
        Coll c = new Coll(name, p);
        c.strict = req.hasStrictModeConfig() ? req.getStrictModeConfig() : defaultStrict;
        collections.put(name, c);
    }

    synchronized void defaultStrictMode(StrictModeConfig config) {
        defaultStrict = config;
    }

    synchronized void strictMode(String name, StrictModeConfig config) {
        coll(name).strict = config;
    }

    synchronized boolean delete(String name) {
        if (collections.remove(name) == null) {
            throw collectionNotFound(name);
        }
        return true;
    }

    synchronized boolean exists(String name) {
        return collections.containsKey(name);
    }

    synchronized List<String> names() {
        return new ArrayList<>(collections.keySet());
    }

    synchronized CollectionInfo info(String name) {
        Coll c = coll(name);
        CollectionInfo.Builder b = CollectionInfo.newBuilder()
                .setStatus(CollectionStatus.Green)
                .setOptimizerStatus(OptimizerStatus.newBuilder().setOk(true))
                .setSegmentsCount(1)
                .setPointsCount(c.points.size())
                .setIndexedVectorsCount(0)
                .setConfig(CollectionConfig.newBuilder()
                        .setParams(CollectionParams.newBuilder()
                                .setShardNumber(1)
                                .setOnDiskPayload(true)
                                .setReplicationFactor(1)
                                .setWriteConsistencyFactor(1)
                                .setVectorsConfig(VectorsConfig.newBuilder().setParams(c.params)))
                        .setHnswConfig(HnswConfigDiff.newBuilder().setM(16).setEfConstruct(100).setFullScanThreshold(10000))
                        .setOptimizerConfig(OptimizersConfigDiff.newBuilder()
                                .setDeletedThreshold(0.2)
                                .setVacuumMinVectorNumber(1000)
                                .setDefaultSegmentNumber(0)
                                .setFlushIntervalSec(5))
                        .setWalConfig(WalConfigDiff.newBuilder().setWalCapacityMb(32).setWalSegmentsAhead(0)));
        if (c.strict != null) {
            b.getConfigBuilder().setStrictModeConfig(c.strict);
        }
        c.fieldIndexes.forEach((field, index) -> {
            long count = c.points.values().stream()
                    .filter(p -> !FakeQdrantFilters.valuesAt(p.payload(), field).isEmpty())
                    .count();
            PayloadSchemaInfo.Builder info = PayloadSchemaInfo.newBuilder().setDataType(index.type()).setPoints(count);
            if (index.params() != null) {
                info.setParams(index.params());
            }
            b.putPayloadSchema(field, info.build());
        });
        return b.build();
    }

    // ---- writes ---------------------------------------------------------------------------

    private static UpdateResult done(Coll c, boolean wait) {
        return UpdateResult.newBuilder()
                .setOperationId(c.operations++)
                .setStatus(wait ? UpdateStatus.Completed : UpdateStatus.Acknowledged)
                .build();
    }

    synchronized UpdateResult upsert(String name, List<PointStruct> points, Filter updateFilter, UpdateMode mode,
            boolean wait) {
        Coll c = coll(name);
        FakeQdrantStrictMode.checkUpsert(c.strict, points.size());
        upsertInto(c, points, updateFilter, mode);
        return done(c, wait);
    }

    /**
     * Writes points: an absent point is inserted (unless {@code UpdateOnly}); a present one is
     * replaced (unless {@code InsertOnly}) if it matches {@code updateFilter} (when given). All
     * points are validated before any is written.
     */
    private static void upsertInto(Coll c, List<PointStruct> points, Filter updateFilter, UpdateMode mode) {
        if (updateFilter != null) {
            FakeQdrantFilters.validate(updateFilter);
        }
        if (mode == UpdateMode.UNRECOGNIZED) {
            throw invalid("Wrong input: unknown update_mode");
        }
        List<StoredPoint> parsed = new ArrayList<>();
        for (PointStruct p : points) {
            PointKey id = PointKey.of(p.getId());
            if (!p.hasVectors()) {
                throw invalid("Wrong input: point " + id + " has no vector");
            }
            parsed.add(new StoredPoint(id, storedVector(c, vectorOf(p.getVectors())), new LinkedHashMap<>(p.getPayloadMap())));
        }
        for (StoredPoint p : parsed) {
            StoredPoint old = c.points.get(p.id());
            if (old == null) {
                if (mode != UpdateMode.UpdateOnly) {
                    c.points.put(p.id(), p);
                }
            } else if (mode != UpdateMode.InsertOnly
                    && (updateFilter == null || FakeQdrantFilters.matches(updateFilter, old.id(), old.payload()))) {
                c.points.put(p.id(), p);
            }
        }
    }

    private static float[] vectorOf(Vectors v) {
        Vector vector;
        if (v.hasVector()) {
            vector = v.getVector();
        } else if (v.hasVectors() && v.getVectors().getVectorsCount() == 1 && v.getVectors().containsVectors("")) {
            vector = v.getVectors().getVectorsOrThrow("");
        } else if (v.hasVectors()) {
            throw unimplemented("named vectors " + v.getVectors().getVectorsMap().keySet());
        } else {
            throw invalid("Wrong input: vectors are missing");
        }
        List<Float> data;
        switch (vector.getVectorCase()) {
            case DENSE:
                data = vector.getDense().getDataList();
                break;
            case VECTOR_NOT_SET:
                if (vector.hasIndices() || vector.hasVectorsCount()) {
                    throw unimplemented("sparse or multi-dense vectors");
                }
                data = vector.getDataList();
                break;
            default:
                throw unimplemented("vector input " + vector.getVectorCase());
        }
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i);
        }
        return out;
    }

    private static float[] storedVector(Coll c, float[] v) {
        checkDim(c, v);
        return c.distance == Distance.Cosine ? normalized(v) : v.clone();
    }

    private static void checkDim(Coll c, float[] v) {
        if (v.length != c.dim) {
            throw invalid("Wrong input: Vector dimension error: expected dim: " + c.dim + ", got " + v.length);
        }
    }

    private static float[] normalized(float[] v) {
        float sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        float norm = (float) Math.sqrt(sum);
        if (norm < Float.MIN_NORMAL) {
            return v.clone();
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }

    /** Seeds a point as another client would have written it (no filter, plain upsert). */
    synchronized void put(String name, PointKey id, float[] vector, Map<String, Value> payload) {
        Coll c = coll(name);
        c.points.put(id, new StoredPoint(id, storedVector(c, vector), new LinkedHashMap<>(payload)));
    }

    private static List<StoredPoint> select(Coll c, PointsSelector selector, boolean mustExist) {
        switch (selector.getPointsSelectorOneOfCase()) {
            case POINTS:
                List<StoredPoint> out = new ArrayList<>();
                for (PointKey k : FakeQdrantFilters.keys(selector.getPoints().getIdsList())) {
                    StoredPoint p = c.points.get(k);
                    if (p != null) {
                        out.add(p);
                    } else if (mustExist) {
                        throw Status.NOT_FOUND.withDescription("Not found: No point with id " + k + " found")
                                .asRuntimeException();
                    }
                }
                return out;
            case FILTER:
                FakeQdrantStrictMode.checkUpdateFilter(c.strict, c.fieldIndexes, selector.getFilter());
                return filtered(c, selector.getFilter());
            default:
                throw invalid("Wrong input: points selector is missing");
        }
    }

    private static List<StoredPoint> filtered(Coll c, Filter filter) {
        FakeQdrantFilters.validate(filter);
        List<StoredPoint> out = new ArrayList<>();
        for (StoredPoint p : c.points.values()) {
            if (FakeQdrantFilters.matches(filter, p.id(), p.payload())) {
                out.add(p);
            }
        }
        return out;
    }

    synchronized UpdateResult deletePoints(String name, PointsSelector selector, boolean wait) {
        Coll c = coll(name);
        deleteFrom(c, selector);
        return done(c, wait);
    }

    private static void deleteFrom(Coll c, PointsSelector selector) {
        for (StoredPoint p : select(c, selector, false)) {
            c.points.remove(p.id());
        }
    }

    synchronized UpdateResult setPayload(String name, Map<String, Value> payload, PointsSelector selector, String key,
            boolean overwrite, boolean wait) {
        Coll c = coll(name);
        setPayloadIn(c, payload, selector, key, overwrite);
        return done(c, wait);
    }

    private static void setPayloadIn(Coll c, Map<String, Value> payload, PointsSelector selector, String key,
            boolean overwrite) {
        if (key != null && !key.isEmpty()) {
            throw unimplemented("set_payload with a key path (" + key + ")");
        }
        for (StoredPoint p : select(c, selector, true)) {
            Map<String, Value> next = overwrite ? new LinkedHashMap<>() : new LinkedHashMap<>(p.payload());
            next.putAll(payload);
            c.points.put(p.id(), new StoredPoint(p.id(), p.vector(), next));
        }
    }

    synchronized UpdateResult deletePayload(String name, List<String> keys, PointsSelector selector, boolean wait) {
        Coll c = coll(name);
        deletePayloadIn(c, keys, selector);
        return done(c, wait);
    }

    private static void deletePayloadIn(Coll c, List<String> keys, PointsSelector selector) {
        for (String k : keys) {
            if (k.contains(".") || k.contains("[")) {
                throw unimplemented("delete_payload with a nested key path (" + k + ")");
            }
        }
        for (StoredPoint p : select(c, selector, true)) {
            Map<String, Value> next = new LinkedHashMap<>(p.payload());
            keys.forEach(next::remove);
            c.points.put(p.id(), new StoredPoint(p.id(), p.vector(), next));
        }
    }

    synchronized UpdateResult clearPayload(String name, PointsSelector selector, boolean wait) {
        Coll c = coll(name);
        for (StoredPoint p : select(c, selector, true)) {
            c.points.put(p.id(), new StoredPoint(p.id(), p.vector(), new LinkedHashMap<>()));
        }
        return done(c, wait);
    }

    /**
     * Applies a batch of operations in order, all or nothing: if one fails, the collection is
     * left as it was before the batch (real Qdrant may keep the operations before the failing
     * one).
     */
    synchronized List<UpdateResult> updateBatch(String name, List<io.qdrant.client.grpc.Points.PointsUpdateOperation> ops,
            boolean wait) {
        Coll c = coll(name);
        TreeMap<PointKey, StoredPoint> before = new TreeMap<>(c.points);
        long operationsBefore = c.operations;
        List<UpdateResult> results = new ArrayList<>();
        try {
            for (io.qdrant.client.grpc.Points.PointsUpdateOperation op : ops) {
                switch (op.getOperationCase()) {
                    case UPSERT:
                        upsertInto(c, op.getUpsert().getPointsList(),
                                op.getUpsert().hasUpdateFilter() ? op.getUpsert().getUpdateFilter() : null,
                                op.getUpsert().hasUpdateMode() ? op.getUpsert().getUpdateMode() : UpdateMode.Upsert);
                        break;
                    case DELETE_POINTS:
                        deleteFrom(c, op.getDeletePoints().getPoints());
                        break;
                    case SET_PAYLOAD:
                        setPayloadIn(c, op.getSetPayload().getPayloadMap(), op.getSetPayload().getPointsSelector(),
                                op.getSetPayload().hasKey() ? op.getSetPayload().getKey() : null, false);
                        break;
                    case OVERWRITE_PAYLOAD:
                        setPayloadIn(c, op.getOverwritePayload().getPayloadMap(),
                                op.getOverwritePayload().getPointsSelector(),
                                op.getOverwritePayload().hasKey() ? op.getOverwritePayload().getKey() : null, true);
                        break;
                    case DELETE_PAYLOAD:
                        deletePayloadIn(c, op.getDeletePayload().getKeysList(), op.getDeletePayload().getPointsSelector());
                        break;
                    case CLEAR_PAYLOAD:
                        for (StoredPoint p : select(c, op.getClearPayload().getPoints(), true)) {
                            c.points.put(p.id(), new StoredPoint(p.id(), p.vector(), new LinkedHashMap<>()));
                        }
                        break;
                    default:
                        throw unimplemented("batch operation " + op.getOperationCase());
                }
                results.add(done(c, wait));
            }
        } catch (RuntimeException e) {
            c.points = before;
            c.operations = operationsBefore;
            throw e;
        }
        return results;
    }

    synchronized UpdateResult createFieldIndex(CreateFieldIndexCollection req) {
        Coll c = coll(req.getCollectionName());
        if (req.getFieldName().isEmpty()) {
            throw invalid("Wrong input: field_name is empty");
        }
        if (!req.hasFieldType()) {
            throw unimplemented("CreateFieldIndex without field_type (field " + req.getFieldName() + ")");
        }
        PayloadSchemaType type;
        switch (req.getFieldType()) {
            case FieldTypeKeyword:
                type = PayloadSchemaType.Keyword;
                break;
            case FieldTypeInteger:
                type = PayloadSchemaType.Integer;
                break;
            case FieldTypeFloat:
                type = PayloadSchemaType.Float;
                break;
            case FieldTypeGeo:
                type = PayloadSchemaType.Geo;
                break;
            case FieldTypeText:
                type = PayloadSchemaType.Text;
                break;
            case FieldTypeBool:
                type = PayloadSchemaType.Bool;
                break;
            case FieldTypeDatetime:
                type = PayloadSchemaType.Datetime;
                break;
            case FieldTypeUuid:
                type = PayloadSchemaType.Uuid;
                break;
            default:
                throw invalid("Wrong input: unknown field_type " + req.getFieldType());
        }
        c.fieldIndexes.put(req.getFieldName(),
                new FieldIndex(type, req.hasFieldIndexParams() ? req.getFieldIndexParams() : null));
        return done(c, !req.hasWait() || req.getWait());
    }

    synchronized UpdateResult deleteFieldIndex(String name, String field, boolean wait) {
        Coll c = coll(name);
        c.fieldIndexes.remove(field);
        return done(c, wait);
    }

    // ---- reads ----------------------------------------------------------------------------

    private static Map<String, Value> payloadFor(StoredPoint p, WithPayloadSelector sel, boolean dflt) {
        switch (sel.getSelectorOptionsCase()) {
            case ENABLE:
                return sel.getEnable() ? p.payload() : Map.of();
            case INCLUDE:
                Map<String, Value> in = new LinkedHashMap<>();
                for (String f : sel.getInclude().getFieldsList()) {
                    checkTopLevel(f);
                    if (p.payload().containsKey(f)) {
                        in.put(f, p.payload().get(f));
                    }
                }
                return in;
            case EXCLUDE:
                Map<String, Value> ex = new LinkedHashMap<>(p.payload());
                for (String f : sel.getExclude().getFieldsList()) {
                    checkTopLevel(f);
                    ex.remove(f);
                }
                return ex;
            default:
                return dflt ? p.payload() : Map.of();
        }
    }

    private static void checkTopLevel(String field) {
        if (field.contains(".") || field.contains("[")) {
            throw unimplemented("nested paths in payload selectors (" + field + ")");
        }
    }

    private static boolean wantsVector(WithVectorsSelector sel) {
        switch (sel.getSelectorOptionsCase()) {
            case ENABLE:
                return sel.getEnable();
            case INCLUDE:
                for (String n : sel.getInclude().getNamesList()) {
                    if (!n.isEmpty()) {
                        throw unimplemented("named vectors in with_vectors (" + n + ")");
                    }
                }
                return sel.getInclude().getNamesCount() > 0;
            default:
                return false;
        }
    }

    /** As real Qdrant does, the dense vector goes out in the deprecated {@code data} field. */
    private static VectorsOutput vectorOut(StoredPoint p) {
        VectorOutput.Builder v = VectorOutput.newBuilder();
        for (float x : p.vector()) {
            v.addData(x);
        }
        return VectorsOutput.newBuilder().setVector(v).build();
    }

    private static RetrievedPoint retrieved(StoredPoint p, WithPayloadSelector payload, boolean payloadDefault,
            WithVectorsSelector vectors) {
        RetrievedPoint.Builder b = RetrievedPoint.newBuilder()
                .setId(p.id().toProto())
                .putAllPayload(payloadFor(p, payload, payloadDefault));
        if (wantsVector(vectors)) {
            b.setVectors(vectorOut(p));
        }
        return b.build();
    }

    /** Points by id in the order asked, missing ones left out; payload off by default. */
    synchronized List<RetrievedPoint> get(String name, List<io.qdrant.client.grpc.Common.PointId> ids,
            WithPayloadSelector payload, WithVectorsSelector vectors) {
        Coll c = coll(name);
        List<RetrievedPoint> out = new ArrayList<>();
        for (PointKey k : FakeQdrantFilters.keys(ids)) {
            StoredPoint p = c.points.get(k);
            if (p != null) {
                out.add(retrieved(p, payload, false, vectors));
            }
        }
        return out;
    }

    /**
     * One page of points in id order from {@code offset} (inclusive); {@code next_page_offset}
     * is the id of the first matching point after the page, absent on the last page. Payload on
     * by default, vectors off.
     */
    synchronized ScrollResponse scroll(ScrollPoints req) {
        Coll c = coll(req.getCollectionName());
        if (req.hasOrderBy()) {
            throw unimplemented("scroll with order_by");
        }
        if (req.hasLimit() && req.getLimit() == 0) {
            throw invalid("Bad request: Limit cannot be 0");
        }
        long limit = req.hasLimit() ? Integer.toUnsignedLong(req.getLimit()) : 10;
        FakeQdrantFilters.validate(req.getFilter());
        FakeQdrantStrictMode.checkRead(c.strict, c.fieldIndexes, req.hasFilter() ? req.getFilter() : null, limit);
        Collection<StoredPoint> from = req.hasOffset()
                ? c.points.tailMap(PointKey.of(req.getOffset()), true).values()
                : c.points.values();
        ScrollResponse.Builder b = ScrollResponse.newBuilder();
        int taken = 0;
        for (StoredPoint p : from) {
            if (!FakeQdrantFilters.matches(req.getFilter(), p.id(), p.payload())) {
                continue;
            }
            if (taken == limit) {
                b.setNextPageOffset(p.id().toProto());
                break;
            }
            b.addResult(retrieved(p, req.getWithPayload(), true, req.getWithVectors()));
            taken++;
        }
        return b.build();
    }

    synchronized long count(String name, Filter filter, boolean exact) {
        Coll c = coll(name);
        FakeQdrantFilters.validate(filter);
        FakeQdrantStrictMode.checkCount(c.strict, c.fieldIndexes, filter, exact);
        return filtered(c, filter).size();
    }

    synchronized List<ScoredPoint> search(String collection, SearchPoints req) {
        Coll c = coll(collection);
        if (req.hasVectorName() && !req.getVectorName().isEmpty()) {
            throw unimplemented("named vectors (vector_name " + req.getVectorName() + ")");
        }
        if (req.hasSparseIndices()) {
            throw unimplemented("sparse vector search");
        }
        if (req.getLimit() == 0) {
            throw invalid("Validation error in body: [limit: value 0 invalid, must be 1 or larger]");
        }
        float[] query = new float[req.getVectorCount()];
        for (int i = 0; i < query.length; i++) {
            query[i] = req.getVector(i);
        }
        FakeQdrantStrictMode.checkRead(c.strict, c.fieldIndexes, req.hasFilter() ? req.getFilter() : null, req.getLimit());
        return nearest(c, query, req.getFilter(), req.getLimit(), req.hasOffset() ? req.getOffset() : 0,
                req.hasScoreThreshold() ? req.getScoreThreshold() : null, req.getWithPayload(), req.getWithVectors());
    }

    synchronized List<ScoredPoint> query(String collection, QueryPoints req) {
        Coll c = coll(collection);
        if (req.getPrefetchCount() > 0) {
            throw unimplemented("query with prefetch");
        }
        if (req.hasUsing() && !req.getUsing().isEmpty()) {
            throw unimplemented("named vectors (using " + req.getUsing() + ")");
        }
        if (req.hasLookupFrom()) {
            throw unimplemented("query with lookup_from");
        }
        if (!req.hasQuery()) {
            throw unimplemented("query without a query (plain listing); use Scroll");
        }
        Query q = req.getQuery();
        if (q.getVariantCase() != Query.VariantCase.NEAREST) {
            throw unimplemented("query " + q.getVariantCase() + "; only nearest is supported");
        }
        if (!q.getNearest().hasDense()) {
            throw unimplemented("nearest query input " + q.getNearest().getVariantCase() + "; only dense is supported");
        }
        List<Float> data = q.getNearest().getDense().getDataList();
        float[] query = new float[data.size()];
        for (int i = 0; i < query.length; i++) {
            query[i] = data.get(i);
        }
        if (req.hasLimit() && req.getLimit() == 0) {
            throw invalid("Validation error in body: [limit: value 0 invalid, must be 1 or larger]");
        }
        FakeQdrantStrictMode.checkRead(c.strict, c.fieldIndexes, req.hasFilter() ? req.getFilter() : null,
                req.hasLimit() ? req.getLimit() : 10);
        return nearest(c, query, req.hasFilter() ? req.getFilter() : Filter.getDefaultInstance(),
                req.hasLimit() ? req.getLimit() : 10, req.hasOffset() ? req.getOffset() : 0,
                req.hasScoreThreshold() ? req.getScoreThreshold() : null, req.getWithPayload(), req.getWithVectors());
    }

    private record Scored(StoredPoint point, float score) {}

    /**
     * Exact nearest neighbours, best first, ties by id: Cosine (dot product of normalised
     * vectors) and Dot descending, Euclid and Manhattan (the distance itself) ascending; the
     * score threshold is a minimum for the former and a maximum for the latter.
     */
    private static List<ScoredPoint> nearest(Coll c, float[] query, Filter filter, long limit, long offset,
            Float threshold, WithPayloadSelector payload, WithVectorsSelector vectors) {
        checkDim(c, query);
        FakeQdrantFilters.validate(filter);
        boolean distanceLike = c.distance == Distance.Euclid || c.distance == Distance.Manhattan;
        float[] q = c.distance == Distance.Cosine ? normalized(query) : query;
        List<Scored> scored = new ArrayList<>();
        for (StoredPoint p : c.points.values()) {
            if (!FakeQdrantFilters.matches(filter, p.id(), p.payload())) {
                continue;
            }
            float s = score(c.distance, q, p.vector());
            if (threshold != null && (distanceLike ? s > threshold : s < threshold)) {
                continue;
            }
            scored.add(new Scored(p, s));
        }
        Comparator<Scored> byScore = Comparator.comparingDouble(Scored::score);
        if (!distanceLike) {
            byScore = byScore.reversed();
        }
        scored.sort(byScore.thenComparing(s -> s.point().id()));
        List<ScoredPoint> out = new ArrayList<>();
        for (long i = offset; i < scored.size() && i < offset + limit; i++) {
            Scored s = scored.get((int) i);
            ScoredPoint.Builder b = ScoredPoint.newBuilder()
                    .setId(s.point().id().toProto())
                    .setScore(s.score())
                    .putAllPayload(payloadFor(s.point(), payload, false));
            if (wantsVector(vectors)) {
                b.setVectors(vectorOut(s.point()));
            }
            out.add(b.build());
        }
        return out;
    }

    private static float score(Distance d, float[] q, float[] v) {
        float acc = 0;
        switch (d) {
            case Cosine:
            case Dot:
                for (int i = 0; i < q.length; i++) {
                    acc += q[i] * v[i];
                }
                return acc;
            case Euclid:
                for (int i = 0; i < q.length; i++) {
                    float diff = q[i] - v[i];
                    acc += diff * diff;
                }
                return (float) Math.sqrt(acc);
            case Manhattan:
                for (int i = 0; i < q.length; i++) {
                    acc += Math.abs(q[i] - v[i]);
                }
                return acc;
            default:
                throw new IllegalStateException("distance " + d);
        }
    }

    // ---- test hooks -----------------------------------------------------------------------

    synchronized Map<String, Value> payload(String name, PointKey id) {
        StoredPoint p = coll(name).points.get(id);
        return p == null ? null : p.payload();
    }

    synchronized float[] vector(String name, PointKey id) {
        StoredPoint p = coll(name).points.get(id);
        return p == null ? null : p.vector().clone();
    }

    synchronized int size(String name) {
        return coll(name).points.size();
    }

    synchronized Map<String, PayloadSchemaType> fieldIndexes(String name) {
        Map<String, PayloadSchemaType> out = new LinkedHashMap<>();
        coll(name).fieldIndexes.forEach((k, v) -> out.put(k, v.type()));
        return out;
    }

    synchronized void clear() {
        collections.clear();
    }
}
