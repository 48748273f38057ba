package dev.srouter.index.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptKeywords;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.nested;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.FacetCounts;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake Qdrant driven by the official Java client, as production drives a real one. */
class FakeQdrantServerTest {
    private static final String C = "routes";

    private FakeQdrantServer server;
    private QdrantClient client;

    @BeforeEach
    void start() {
        server = FakeQdrantServer.start();
        client = connect(null);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private QdrantClient connect(String key) {
        QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder("127.0.0.1", server.port(), false, false);
        if (key != null) {
            b.withApiKey(key);
        }
        return new QdrantClient(b.build());
    }

    private static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static StatusRuntimeException fails(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return assertInstanceOf(StatusRuntimeException.class, e.getCause());
    }

    private void create(String name, int dim, Distance d) throws Exception {
        get(client.createCollectionAsync(name, VectorParams.newBuilder().setSize(dim).setDistance(d).build()));
    }

    private static PointStruct point(PointId id, float[] v, Map<String, Value> payload) {
        return PointStruct.newBuilder().setId(id).setVectors(vectors(v)).putAllPayload(payload).build();
    }

    private static Set<String> ids(List<? extends Object> points) {
        Set<String> out = new HashSet<>();
        for (Object p : points) {
            PointId id = p instanceof RetrievedPoint r ? r.getId() : ((ScoredPoint) p).getId();
            out.add(id.hasNum() ? Long.toString(id.getNum()) : id.getUuid());
        }
        return out;
    }

    private List<RetrievedPoint> scroll(Filter f) throws Exception {
        return get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(C).setFilter(f).setLimit(100).build()))
                .getResultList();
    }

    // ---- service and collections ----------------------------------------------------------

    @Test
    void healthCheckAnswersLikeQdrant117() throws Exception {
        HealthCheckReply reply = get(client.healthCheckAsync());
        assertEquals("qdrant - vector search engine", reply.getTitle());
        assertEquals("1.17.0", reply.getVersion());
        assertTrue(server.url().matches("http://127\\.0\\.0\\.1:\\d+"));
    }

    @Test
    void collectionsAreCreatedDescribedListedAndDeleted() throws Exception {
        create(C, 4, Distance.Cosine);
        assertTrue(get(client.collectionExistsAsync(C)));
        assertFalse(get(client.collectionExistsAsync("other")));
        assertEquals(List.of(C), get(client.listCollectionsAsync()));

        get(client.upsertAsync(C, List.of(point(id(1), new float[] {1, 0, 0, 0}, Map.of("tag", value("a"))))));
        get(client.createPayloadIndexAsync(C, "tag", PayloadSchemaType.Keyword, null, true, null, null));
        CollectionInfo info = get(client.getCollectionInfoAsync(C));
        assertEquals(4, info.getConfig().getParams().getVectorsConfig().getParams().getSize());
        assertEquals(Distance.Cosine, info.getConfig().getParams().getVectorsConfig().getParams().getDistance());
        assertEquals(1, info.getPointsCount());
        assertEquals(io.qdrant.client.grpc.Collections.CollectionStatus.Green, info.getStatus());
        assertEquals(PayloadSchemaType.Keyword, info.getPayloadSchemaOrThrow("tag").getDataType());
        assertEquals(1, info.getPayloadSchemaOrThrow("tag").getPoints());
        assertEquals(List.of("tag"), server.fieldIndexes(C));
        get(client.deletePayloadIndexAsync(C, "tag", true, null, null));
        assertEquals(List.of(), server.fieldIndexes(C));

        StatusRuntimeException again = fails(client.createCollectionAsync(C,
                VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, again.getStatus().getCode());
        assertTrue(again.getStatus().getDescription().contains("Collection `routes` already exists!"));

        get(client.deleteCollectionAsync(C));
        assertEquals(List.of(), server.collections());
    }

    @Test
    void aMissingCollectionIsNotFoundForEveryKindOfCall() {
        List<Future<?>> calls = List.of(
                client.getCollectionInfoAsync("nope"),
                client.deleteCollectionAsync("nope"),
                client.upsertAsync("nope", List.of(point(id(1), new float[] {1}, Map.of()))),
                client.scrollAsync(ScrollPoints.newBuilder().setCollectionName("nope").build()),
                client.countAsync("nope"),
                client.queryAsync(QueryPoints.newBuilder().setCollectionName("nope").setQuery(nearest(1f)).build()));
        for (Future<?> call : calls) {
            StatusRuntimeException e = fails(call);
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("Collection `nope` doesn't exist!"),
                    e.getStatus().getDescription());
        }
    }

    @Test
    void namedVectorsAreRefusedLoudly() {
        StatusRuntimeException e = fails(client.createCollectionAsync(C,
                Map.of("dense", VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("named vectors"));
    }

    // ---- points ---------------------------------------------------------------------------

    @Test
    void aVectorOfTheWrongLengthIsRejectedAndNothingIsWritten() throws Exception {
        create(C, 4, Distance.Dot);
        StatusRuntimeException e = fails(client.upsertAsync(C, List.of(
                point(id(1), new float[] {1, 2, 3, 4}, Map.of()),
                point(id(2), new float[] {1, 2, 3, 4, 5, 6, 7}, Map.of()))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("Wrong input: Vector dimension error: expected dim: 4, got 7", e.getStatus().getDescription());
        assertEquals(0, server.pointCount(C));
    }

    @Test
    void payloadValuesOfEveryKindRoundTripUnchanged() throws Exception {
        create(C, 2, Distance.Cosine);
        Map<String, Value> payload = new LinkedHashMap<>();
        payload.put("null", nullValue());
        payload.put("bool", value(true));
        payload.put("int", value(9_007_199_254_740_993L));
        payload.put("double", value(0.1));
        payload.put("string", value("héllo"));
        payload.put("list", value(List.of(value(1), value("two"), nullValue())));
        payload.put("struct", value(Map.of("inner", value(Map.of("deep", value(false))))));
        UUID uuid = UUID.fromString("0F8FAD5B-D9CB-469F-A165-70867728950E");
        get(client.upsertAsync(C, List.of(point(id(uuid), new float[] {3, 4}, payload))));

        List<RetrievedPoint> got = get(client.retrieveAsync(C, List.of(id(uuid)),
                WithPayloadSelectorFactory.enable(true), WithVectorsSelectorFactory.enable(true), null));
        assertEquals(1, got.size());
        assertEquals(payload, got.get(0).getPayloadMap());
        assertEquals("0f8fad5b-d9cb-469f-a165-70867728950e", got.get(0).getId().getUuid());
        assertEquals(List.of(0.6f, 0.8f), got.get(0).getVectors().getVector().getDataList(), "Cosine normalises");

        Map<String, Object> plain = server.payloadOf(C, uuid.toString());
        assertEquals(9_007_199_254_740_993L, plain.get("int"));
        assertEquals(Arrays.asList(1L, "two", null), plain.get("list"));
        assertEquals(Map.of("inner", Map.of("deep", false)), plain.get("struct"));
        assertTrue(plain.containsKey("null") && plain.get("null") == null);
    }

    @Test
    void retrieveHonoursPayloadAndVectorSelectors() throws Exception {
        create(C, 2, Distance.Dot);
        get(client.upsertAsync(C, List.of(point(id(5), new float[] {1, 2}, Map.of("a", value(1), "b", value(2))))));
        RetrievedPoint bare = get(client.retrieveAsync(C, List.of(id(5), id(6)), false, false, null)).get(0);
        assertEquals(0, bare.getPayloadCount());
        assertFalse(bare.hasVectors());
        RetrievedPoint some = get(client.retrieveAsync(C, List.of(id(5)),
                WithPayloadSelectorFactory.include(List.of("a")), WithVectorsSelectorFactory.enable(false), null)).get(0);
        assertEquals(Map.of("a", value(1)), some.getPayloadMap());
    }

    @Test
    void scrollPagesOverEveryPointOnceInIdOrder() throws Exception {
        create(C, 2, Distance.Cosine);
        List<PointStruct> points = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 2000; i >= 1; i--) {
            points.add(point(id(i), new float[] {1, i}, Map.of("i", value(i))));
        }
        for (int i = 1; i <= 2000; i++) {
            expected.add(Integer.toString(i));
        }
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            UUID u = UUID.nameUUIDFromBytes(("p" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            points.add(point(id(u), new float[] {1, 1}, Map.of()));
            uuids.add(u.toString());
        }
        uuids.sort(Comparator.naturalOrder());
        expected.addAll(uuids);
        get(client.upsertAsync(C, points));
        assertEquals(2500, server.pointCount(C));

        List<String> seen = new ArrayList<>();
        PointId offset = null;
        int pages = 0;
        do {
            ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(C).setLimit(1000);
            if (offset != null) {
                req.setOffset(offset);
            }
            ScrollResponse page = get(client.scrollAsync(req.build()));
            pages++;
            page.getResultList().forEach(p -> seen.add(p.getId().hasNum()
                    ? Long.toString(p.getId().getNum()) : p.getId().getUuid()));
            if (page.hasNextPageOffset()) {
                PointId next = page.getNextPageOffset();
                String nextId = next.hasNum() ? Long.toString(next.getNum()) : next.getUuid();
                assertEquals(expected.get(seen.size()), nextId, "next_page_offset is the first id of the next page");
                offset = next;
            } else {
                offset = null;
            }
        } while (offset != null);
        assertEquals(3, pages);
        assertEquals(expected, seen);
        assertEquals(2500, get(client.countAsync(C)));
        assertEquals(3, server.calls("Points/Scroll"));
    }

    @Test
    void scrollDefaultsToTenPointsWithPayloadAndWithoutVectors() throws Exception {
        create(C, 2, Distance.Dot);
        for (int i = 0; i < 12; i++) {
            server.putPoint(C, Integer.toString(i), new float[] {i, 1}, Map.of("i", i));
        }
        ScrollResponse page = get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(C).build()));
        assertEquals(10, page.getResultCount());
        assertEquals(10, page.getNextPageOffset().getNum());
        assertEquals(value(3), page.getResult(3).getPayloadOrThrow("i"));
        assertFalse(page.getResult(3).hasVectors());
    }

    @Test
    void filtersFollowQdrantSemantics() throws Exception {
        create(C, 2, Distance.Dot);
        server.putPoint(C, "1", new float[] {1, 0}, Map.of("tier", "gold", "tags", List.of("a", "b"),
                "meta", Map.of("lang", "en", "size", 3), "note", "hello world", "on", true));
        server.putPoint(C, "2", new float[] {1, 0}, Map.of("tier", "silver", "tags", List.of(),
                "meta", Map.of("lang", "de"), "on", false));
        Map<String, Object> three = new LinkedHashMap<>();
        three.put("tier", "bronze");
        three.put("tags", null);
        three.put("items", List.of(Map.of("k", "x", "n", 1), Map.of("k", "y", "n", 2)));
        server.putPoint(C, "3", new float[] {1, 0}, three);
        server.putPoint(C, "4", new float[] {1, 0}, Map.of());

        assertEquals(Set.of("1"), ids(scroll(Filter.newBuilder().addMust(matchKeyword("tier", "gold")).build())));
        assertEquals(Set.of("1", "2"), ids(scroll(Filter.newBuilder()
                .addShould(matchKeyword("tier", "gold")).addShould(matchKeyword("tier", "silver")).build())));
        assertEquals(Set.of("2", "3", "4"), ids(scroll(Filter.newBuilder()
                .addMustNot(matchKeyword("tier", "gold")).build())));
        assertEquals(Set.of("1"), ids(scroll(Filter.newBuilder().addMust(matchKeywords("tags", List.of("b", "z"))).build())),
                "an array matches when any element does");
        assertEquals(Set.of("1", "3"), ids(scroll(Filter.newBuilder()
                .addMust(matchExceptKeywords("tier", List.of("silver"))).build())),
                "except: some value not in the list (a missing field does not match)");
        assertEquals(Set.of("2", "3", "4"), ids(scroll(Filter.newBuilder().addMust(isEmpty("tags")).build())),
                "is_empty: [] , null and missing");
        assertEquals(Set.of("3"), ids(scroll(Filter.newBuilder().addMust(isNull("tags")).build())));
        assertEquals(Set.of("2", "4"), ids(scroll(Filter.newBuilder().addMust(hasId(List.of(id(2), id(4), id(9)))).build())));
        assertEquals(Set.of("2"), ids(scroll(Filter.newBuilder().addMust(matchKeyword("meta.lang", "de")).build())),
                "dotted path into nested objects");
        assertEquals(Set.of("1"), ids(scroll(Filter.newBuilder().addMust(match("meta.size", 3L)).build())));
        assertEquals(Set.of("2"), ids(scroll(Filter.newBuilder().addMust(match("on", false)).build())));
        assertEquals(Set.of("1"), ids(scroll(Filter.newBuilder().addMust(matchText("note", "lo wo")).build())));
        assertEquals(Set.of("3"), ids(scroll(Filter.newBuilder().addMust(matchKeyword("items[].k", "y")).build())));
        assertEquals(Set.of("3"), ids(scroll(Filter.newBuilder().addMust(nested("items",
                Filter.newBuilder().addMust(matchKeyword("k", "x")).addMust(match("n", 1L)).build())).build())));
        assertEquals(Set.of(), ids(scroll(Filter.newBuilder().addMust(nested("items",
                Filter.newBuilder().addMust(matchKeyword("k", "x")).addMust(match("n", 2L)).build())).build())),
                "nested: both conditions on the same element");
        assertEquals(Set.of("1", "4"), ids(scroll(Filter.newBuilder().addMust(filter(Filter.newBuilder()
                .addShould(matchKeyword("tier", "gold")).addShould(hasId(id(4))).build())).build())));
        assertEquals(2, get(client.countAsync(C, Filter.newBuilder()
                .addShould(matchKeyword("tier", "gold")).addShould(matchKeyword("meta.lang", "de")).build(), true)));

        StatusRuntimeException e = fails(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(C)
                .setFilter(Filter.newBuilder().addMust(range("n", Range.newBuilder().setGt(1).build()))).build()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("range"));
    }

    @Test
    void deleteAndPayloadWritesSelectByIdsOrFilter() throws Exception {
        create(C, 2, Distance.Dot);
        for (int i = 1; i <= 4; i++) {
            server.putPoint(C, Integer.toString(i), new float[] {1, i}, Map.of("g", i % 2 == 0 ? "even" : "odd", "i", i));
        }
        get(client.setPayloadAsync(C, Map.of("x", value("y")),
                Filter.newBuilder().addMust(matchKeyword("g", "even")).build(), true, null, null));
        assertEquals(Map.of("g", "even", "i", 2L, "x", "y"), server.payloadOf(C, "2"));
        get(client.overwritePayloadAsync(C, Map.of("only", value(1)), List.of(id(3)), true, null, null));
        assertEquals(Map.of("only", 1L), server.payloadOf(C, "3"));
        get(client.deletePayloadAsync(C, List.of("x"), id(2), true, null, null));
        assertEquals(Map.of("g", "even", "i", 2L), server.payloadOf(C, "2"));
        get(client.clearPayloadAsync(C, id(1), true, null, null));
        assertEquals(Map.of(), server.payloadOf(C, "1"));

        StatusRuntimeException e = fails(client.overwritePayloadAsync(C, Map.of("z", value(1)),
                List.of(id(2), id(77)), true, null, null));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("No point with id 77 found"), e.getStatus().getDescription());
        assertEquals(Map.of("g", "even", "i", 2L), server.payloadOf(C, "2"), "nothing written");

        get(client.deleteAsync(C, Filter.newBuilder().addMust(matchKeyword("g", "even")).build()));
        get(client.deleteAsync(C, List.of(id(1), id(99))));
        assertEquals(1, server.pointCount(C));
        assertNull(server.payloadOf(C, "1"));
    }

    @Test
    void updateFilterAndUpdateModeMakeConditionalWrites() throws Exception {
        create(C, 2, Distance.Dot);
        server.putPoint(C, "1", new float[] {1, 0}, Map.of("v", 1));
        Filter versionIsOne = Filter.newBuilder().addMust(match("v", 1L)).build();

        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .addPoints(point(id(1), new float[] {0, 1}, Map.of("v", value(5))))
                .setUpdateMode(UpdateMode.InsertOnly).build()));
        assertEquals(Map.of("v", 1L), server.payloadOf(C, "1"), "insert-only leaves a present point alone");

        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .addPoints(point(id(2), new float[] {0, 1}, Map.of("v", value(1))))
                .setUpdateMode(UpdateMode.UpdateOnly).build()));
        assertNull(server.payloadOf(C, "2"), "update-only does not insert");

        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .addPoints(point(id(1), new float[] {0, 1}, Map.of("v", value(2))))
                .addPoints(point(id(3), new float[] {0, 1}, Map.of("v", value(9))))
                .setUpdateFilter(versionIsOne).build()));
        assertEquals(Map.of("v", 2L), server.payloadOf(C, "1"), "filter matched: replaced");
        assertEquals(Map.of("v", 9L), server.payloadOf(C, "3"), "absent: inserted regardless of the filter");

        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .addPoints(point(id(1), new float[] {0, 1}, Map.of("v", value(3))))
                .setUpdateFilter(versionIsOne).build()));
        assertEquals(Map.of("v", 2L), server.payloadOf(C, "1"), "filter mismatch keeps the old payload");

        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .addPoints(point(id(1), new float[] {0, 1}, Map.of("v", value(3))))
                .addPoints(point(id(4), new float[] {0, 1}, Map.of("v", value(3))))
                .setUpdateFilter(Filter.newBuilder().addMust(match("v", 2L)).build())
                .setUpdateMode(UpdateMode.UpdateOnly).build()));
        assertEquals(Map.of("v", 3L), server.payloadOf(C, "1"));
        assertNull(server.payloadOf(C, "4"));
    }

    @Test
    void updateBatchAppliesItsOperationsInOrderAllOrNothing() throws Exception {
        create(C, 2, Distance.Dot);
        PointsSelector one = PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(id(1))).build();
        List<PointsUpdateOperation> ops = List.of(
                PointsUpdateOperation.newBuilder().setUpsert(PointsUpdateOperation.PointStructList.newBuilder()
                        .addPoints(point(id(1), new float[] {1, 0}, Map.of("a", value(1))))
                        .addPoints(point(id(2), new float[] {1, 0}, Map.of()))).build(),
                PointsUpdateOperation.newBuilder().setSetPayload(PointsUpdateOperation.SetPayload.newBuilder()
                        .putPayload("b", value(2)).setPointsSelector(one)).build(),
                PointsUpdateOperation.newBuilder().setDeletePoints(PointsUpdateOperation.DeletePoints.newBuilder()
                        .setPoints(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(id(2)))))
                        .build());
        assertEquals(3, get(client.batchUpdateAsync(C, ops)).size());
        assertEquals(Map.of("a", 1L, "b", 2L), server.payloadOf(C, "1"));
        assertEquals(1, server.pointCount(C));

        List<PointsUpdateOperation> failing = List.of(
                PointsUpdateOperation.newBuilder().setOverwritePayload(PointsUpdateOperation.OverwritePayload.newBuilder()
                        .putPayload("c", value(3)).setPointsSelector(one)).build(),
                PointsUpdateOperation.newBuilder().setUpdateVectors(PointsUpdateOperation.UpdateVectors.newBuilder())
                        .build());
        StatusRuntimeException e = fails(client.batchUpdateAsync(C, failing));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertEquals(Map.of("a", 1L, "b", 2L), server.payloadOf(C, "1"));
    }

    // ---- search ---------------------------------------------------------------------------

    @Test
    void queryAndSearchScoreByDistanceBestFirstTiesById() throws Exception {
        create(C, 2, Distance.Cosine);
        server.putPoint(C, "3", new float[] {1, 0}, Map.of("k", "a"));
        server.putPoint(C, "1", new float[] {2, 0}, Map.of("k", "b"));
        server.putPoint(C, "2", new float[] {0, 5}, Map.of("k", "a"));
        List<ScoredPoint> hits = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(C)
                .setQuery(nearest(3f, 0f)).setWithPayload(WithPayloadSelectorFactory.enable(true)).build()));
        assertEquals(List.of(1L, 3L, 2L), hits.stream().map(h -> h.getId().getNum()).toList());
        assertEquals(1.0f, hits.get(0).getScore(), 1e-6);
        assertEquals(0.0f, hits.get(2).getScore(), 1e-6);
        assertEquals(value("b"), hits.get(0).getPayloadOrThrow("k"));

        List<ScoredPoint> filtered = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(C)
                .setQuery(nearest(3f, 0f)).setFilter(Filter.newBuilder().addMust(matchKeyword("k", "a")))
                .setScoreThreshold(0.5f).setLimit(5).build()));
        assertEquals(List.of(3L), filtered.stream().map(h -> h.getId().getNum()).toList());
        assertEquals(0, filtered.get(0).getPayloadCount(), "query payload is off by default");

        List<ScoredPoint> searched = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(C)
                .addAllVector(List.of(0f, 1f)).setLimit(1).setOffset(0).build()));
        assertEquals(List.of(2L), searched.stream().map(h -> h.getId().getNum()).toList());

        assertEquals(2, get(client.queryBatchAsync(C, List.of(
                QueryPoints.newBuilder().setCollectionName(C).setQuery(nearest(1f, 0f)).setLimit(1).build(),
                QueryPoints.newBuilder().setCollectionName(C).setQuery(nearest(0f, 1f)).setOffset(1).build()))).size());

        StatusRuntimeException e = fails(client.queryAsync(QueryPoints.newBuilder().setCollectionName(C)
                .setQuery(nearest(1L)).build()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }

    @Test
    void euclidScoresAreDistancesAscending() throws Exception {
        create(C, 2, Distance.Euclid);
        server.putPoint(C, "1", new float[] {3, 4}, Map.of());
        server.putPoint(C, "2", new float[] {1, 0}, Map.of());
        List<ScoredPoint> hits = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(C)
                .setQuery(nearest(0f, 0f)).setScoreThreshold(4f).build()));
        assertEquals(List.of(2L), hits.stream().map(h -> h.getId().getNum()).toList());
        assertEquals(1.0f, hits.get(0).getScore(), 1e-6);
    }

    // ---- strict mode ----------------------------------------------------------------------

    @Test
    void strictModeRefusesReadAndUpdateFiltersOnUnindexedKeysAsTheServerDoes() throws Exception {
        server.strictMode(FakeQdrantServer.CLOUD_STRICT_MODE);
        get(client.createCollectionAsync(C, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
        assertTrue(get(client.getCollectionInfoAsync(C)).getConfig().getStrictModeConfig().getEnabled(), "reported in the info");
        server.putPoint(C, "1", new float[] {1, 0}, Map.of("k", "a", "n", 3));
        StatusRuntimeException e = fails(client.countAsync(C, Filter.newBuilder().addMust(matchKeyword("k", "a")).build(), true));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("Bad request: Index required but not found for \"k\" of one of the following types: [keyword]. "
                + "Help: Create an index for this key or use a different filter.", e.getStatus().getDescription());
        // Nested in must_not and in a sub-filter: walked too. has_id needs no index.
        fails(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(C)
                .setFilter(Filter.newBuilder().addMust(filter(Filter.newBuilder().addMustNot(isEmpty("k")).build()))).build()));
        assertEquals(1, get(client.countAsync(C, Filter.newBuilder().addMust(hasId(id(1))).build(), true)));
        // Filtered updates are checked; the update_filter of a conditional upsert is exempt.
        fails(client.deleteAsync(C, Filter.newBuilder().addMust(matchKeyword("k", "a")).build()));
        get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .setUpdateFilter(Filter.newBuilder().addMust(matchKeyword("k", "a")))
                .addPoints(PointStruct.newBuilder().setId(id(1)).setVectors(vectors(0f, 1f)).putPayload("k", value("b"))).build()));
        assertEquals("b", server.payloadOf(C, "1").get("k"));
        // A keyword index serves a keyword match and is_empty; an integer match on it still needs an integer index.
        get(client.createPayloadIndexAsync(C, "k", PayloadSchemaType.Keyword, null, true, null, null));
        assertEquals(1, get(client.countAsync(C, Filter.newBuilder().addMust(matchKeyword("k", "b")).build(), true)));
        assertEquals(0, get(client.countAsync(C, Filter.newBuilder().addMust(isEmpty("k")).build(), true)));
        e = fails(client.countAsync(C, Filter.newBuilder().addMust(match("k", 3)).build(), true));
        assertTrue(e.getStatus().getDescription().contains("[integer]"), e.getStatus().getDescription());
    }

    @Test
    void strictModeLimitsAreTheServersTexts() throws Exception {
        get(client.createCollectionAsync(io.qdrant.client.grpc.Collections.CreateCollection.newBuilder().setCollectionName(C)
                .setVectorsConfig(io.qdrant.client.grpc.Collections.VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot)))
                .setStrictModeConfig(io.qdrant.client.grpc.Collections.StrictModeConfig.newBuilder().setEnabled(true)
                        .setMaxQueryLimit(15).setSearchAllowExact(false).setUpsertMaxBatchsize(1))
                .build()));
        StatusRuntimeException e = fails(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(C).setLimit(30).build()));
        assertEquals("Bad request: Limit exceeded 30 > 15 for \"limit\". Help: Reduce the \"limit\" parameter to or below 15.",
                e.getStatus().getDescription());
        e = fails(client.countAsync(C, Filter.getDefaultInstance(), true));
        assertEquals("Bad request: Exact search disabled!. Help: Set exact=false.", e.getStatus().getDescription());
        assertEquals(0, get(client.countAsync(C, Filter.getDefaultInstance(), false)));
        fails(client.upsertAsync(C, List.of(
                PointStruct.newBuilder().setId(id(1)).setVectors(vectors(0f, 1f)).build(),
                PointStruct.newBuilder().setId(id(2)).setVectors(vectors(1f, 0f)).build())));
    }

    // ---- server versions ------------------------------------------------------------------

    @Test
    void anOlderServerReportsItsVersionAndDropsTheFieldsItDoesNotKnow() throws Exception {
        get(client.createCollectionAsync(C, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
        server.putPoint(C, "1", new float[] {1, 0}, Map.of("v", "old"));
        UpsertPoints insertOnly = UpsertPoints.newBuilder().setCollectionName(C).setWait(true).setUpdateMode(UpdateMode.InsertOnly)
                .addPoints(PointStruct.newBuilder().setId(id(1)).setVectors(vectors(0f, 1f)).putPayload("v", value("new"))).build();
        UpsertPoints filtered = UpsertPoints.newBuilder().setCollectionName(C).setWait(true)
                .setUpdateFilter(Filter.newBuilder().addMust(matchKeyword("v", "nothing")))
                .addPoints(PointStruct.newBuilder().setId(id(1)).setVectors(vectors(0f, 1f)).putPayload("v", value("filtered"))).build();
        server.serverVersion("1.16.0");
        assertEquals("1.16.0", get(client.healthCheckAsync()).getVersion());
        get(client.upsertAsync(filtered));
        assertEquals("old", server.payloadOf(C, "1").get("v"), "1.16 knows update_filter");
        get(client.upsertAsync(insertOnly));
        assertEquals("new", server.payloadOf(C, "1").get("v"), "1.16 drops update_mode");
        server.serverVersion("1.15.3");
        get(client.upsertAsync(filtered));
        assertEquals("filtered", server.payloadOf(C, "1").get("v"), "1.15.3 drops update_filter");
    }

    @Test
    void aReadOnlyKeyReadsAndIsDeniedWrites() throws Exception {
        server.apiKey("admin").readOnlyApiKey("reader");
        try (QdrantClient admin = connect("admin"); QdrantClient reader = connect("reader")) {
            get(admin.createCollectionAsync(C, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
            assertEquals(List.of(C), get(reader.listCollectionsAsync()));
            StatusRuntimeException e = fails(reader.upsertAsync(C, List.of(PointStruct.newBuilder().setId(id(1))
                    .setVectors(vectors(0f, 1f)).build())));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertEquals("Forbidden: Global manage access is required", e.getStatus().getDescription());
        }
    }

    // ---- API key --------------------------------------------------------------------------

    @Test
    void anApiKeyIsRequiredOnEveryCallButTheHealthCheckOnceSet() throws Exception {
        server.apiKey("s3cret");
        StatusRuntimeException none = fails(client.listCollectionsAsync());
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertFalse(none.getStatus().getDescription().contains("s3cret"));
        // As the server (src/tonic/auth.rs): the health check passes without a key, and with a wrong one.
        assertEquals(FakeQdrantServices.VERSION, get(client.healthCheckAsync()).getVersion());
        try (QdrantClient wrong = connect("guess")) {
            assertEquals(FakeQdrantServices.VERSION, get(wrong.healthCheckAsync()).getVersion());
            StatusRuntimeException e = fails(wrong.listCollectionsAsync());
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertFalse(e.getStatus().getDescription().contains("s3cret"));
        }
        try (QdrantClient right = connect("s3cret")) {
            get(right.createCollectionAsync(C, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
            assertEquals(List.of(C), get(right.listCollectionsAsync()));
        }
        assertEquals(3, server.calls("Collections/List"), "refused calls are counted too");
    }

    // ---- faults and counting --------------------------------------------------------------

    @Test
    void callsAreCountedByServiceAndMethodFailedOnesIncluded() throws Exception {
        create(C, 2, Distance.Dot);
        get(client.upsertAsync(C, List.of(point(id(1), new float[] {1, 0}, Map.of()))));
        fails(client.upsertAsync(C, List.of(point(id(1), new float[] {1}, Map.of()))));
        get(client.countAsync(C));
        StatusRuntimeException e = fails(client.facetAsync(FacetCounts.newBuilder().setCollectionName(C).setKey("k").build()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertEquals(1, server.calls("Collections/Create"));
        assertEquals(2, server.calls("Points/Upsert"));
        assertEquals(1, server.calls("Points/Count"));
        assertEquals(1, server.calls("Points/Facet"));
        assertEquals(5, server.totalCalls());
        assertEquals(Map.of("Collections/Create", 1, "Points/Upsert", 2, "Points/Count", 1, "Points/Facet", 1),
                server.callCounts());
        server.resetCounts();
        assertEquals(0, server.totalCalls());
        assertEquals(Map.of(), server.callCounts());
    }

    @Test
    void anInjectedFailureFallsOnTheNthCallAndIsNotApplied() throws Exception {
        create(C, 2, Distance.Dot);
        server.failCall(2, Status.Code.UNAVAILABLE);
        get(client.upsertAsync(C, List.of(point(id(1), new float[] {1, 0}, Map.of()))));
        StatusRuntimeException e = fails(client.upsertAsync(C, List.of(point(id(2), new float[] {1, 0}, Map.of()))));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertNull(server.payloadOf(C, "2"), "the failed write was not applied");
        get(client.upsertAsync(C, List.of(point(id(3), new float[] {1, 0}, Map.of()))));
        assertEquals(2, server.pointCount(C));

        server.failCalls(2, Status.Code.RESOURCE_EXHAUSTED);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, fails(client.countAsync(C)).getStatus().getCode());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, fails(client.countAsync(C)).getStatus().getCode());
        assertEquals(2, get(client.countAsync(C)));

        server.failCall("Points/Upsert", 1, Status.Code.INTERNAL);
        assertEquals(2, get(client.countAsync(C)), "a fault for another method leaves this call alone");
        assertEquals(Status.Code.INTERNAL, fails(client.upsertAsync(C, List.of(point(id(4), new float[] {1, 0},
                Map.of())))).getStatus().getCode());
        assertEquals(2, server.pointCount(C));
    }

    @Test
    void aDroppedConnectionLooksUnavailableButTheWriteLanded() throws Exception {
        create(C, 2, Distance.Dot);
        server.dropConnectionOnCall("Points/Upsert", 1);
        StatusRuntimeException e = fails(client.upsertAsync(C,
                List.of(point(id(7), new float[] {1, 0}, Map.of("landed", value(true))))));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(Map.of("landed", true), server.payloadOf(C, "7"));
        assertEquals(1, get(client.countAsync(C)), "the client reconnects afterwards");
    }

    @Test
    void aHungCallRunsIntoTheClientsDeadlineAndIsNotApplied() throws Exception {
        create(C, 2, Distance.Dot);
        server.hangCall(1);
        StatusRuntimeException e = fails(client.upsertAsync(C,
                List.of(point(id(1), new float[] {1, 0}, Map.of())), Duration.ofMillis(300)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertEquals(0, server.pointCount(C));
        assertEquals(0, get(client.countAsync(C)));
    }

    @Test
    void latencyLongerThanTheDeadlineFailsTheCall() throws Exception {
        create(C, 2, Distance.Dot);
        server.latency(Duration.ofMillis(1500));
        StatusRuntimeException e = fails(client.countAsync(C, Duration.ofMillis(200)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        server.latency(Duration.ZERO);
        assertEquals(0, get(client.countAsync(C)));
    }

    @Test
    void setPayloadOnAMissingIdIsNotFoundLikeQdrant() throws Exception {
        create(C, 2, Distance.Dot);
        StatusRuntimeException e = fails(client.setPayloadAsync(SetPayloadPoints.newBuilder().setCollectionName(C)
                .putPayload("a", value(1))
                .setPointsSelector(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(id(3))))
                .build(), null));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }
}
