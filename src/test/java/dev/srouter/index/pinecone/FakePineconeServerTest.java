package dev.srouter.index.pinecone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.configs.PineconeConfig;
import io.pinecone.configs.PineconeConnection;
import io.pinecone.exceptions.PineconeAlreadyExistsException;
import io.pinecone.exceptions.PineconeAuthorizationException;
import io.pinecone.exceptions.PineconeBadRequestException;
import io.pinecone.exceptions.PineconeException;
import io.pinecone.exceptions.PineconeForbiddenException;
import io.pinecone.exceptions.PineconeNotFoundException;
import io.pinecone.proto.DescribeIndexStatsRequest;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.FetchRequest;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc;
import io.pinecone.unsigned_indices_model.QueryResponseWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openapitools.db_control.client.model.IndexList;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.IndexModelBYOC;
import org.openapitools.db_control.client.model.IndexModelPodBased;
import org.openapitools.db_control.client.model.IndexModelServerless;

/**
 * {@link FakePineconeServer} driven by the official Pinecone Java client, as production drives Pinecone.
 *
 * <p>The client caches index connections in a static map keyed by index name, so every test uses fresh index
 * names ({@link #name()}) and closes its {@link Index}.
 */
class FakePineconeServerTest {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String KEY = "test-key-0123456789";

    private FakePineconeServer server;
    private Pinecone pinecone;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() {
        server = FakePineconeServer.start().apiKey(KEY);
        pinecone = client(KEY);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        server.close();
    }

    private Pinecone client(String key) {
        return new Pinecone.Builder(key).withHost(server.controlUrl()).withTlsEnabled(false).build();
    }

    private static String name() {
        return "idx-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    /** A fresh serverless index (created over HTTP) and a connection to it. */
    private Index index(int dimension, String metric) {
        String name = name();
        pinecone.createServerlessIndex(name, metric, dimension, "aws", "us-east-1", "disabled", Map.of());
        Index index = pinecone.getIndexConnection(name);
        toClose.add(index::close);
        return index;
    }

    private static List<Float> vec(float... values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    private static Struct struct(Object... keyValues) {
        Struct.Builder b = Struct.newBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            b.putFields((String) keyValues[i], value(keyValues[i + 1]));
        }
        return b.build();
    }

    private static Value value(Object v) {
        if (v instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        } else if (v instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        } else if (v instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        } else if (v instanceof List<?> list) {
            ListValue.Builder lb = ListValue.newBuilder();
            list.forEach(item -> lb.addValues(value(item)));
            return Value.newBuilder().setListValue(lb).build();
        } else if (v instanceof Struct s) {
            return Value.newBuilder().setStructValue(s).build();
        }
        throw new IllegalArgumentException(String.valueOf(v));
    }

    private static List<String> ids(QueryResponseWithUnsignedIndices response) {
        return response.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList();
    }

    private static StatusRuntimeException grpcError(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        return e;
    }

    // ------------------------------------------------------------------ dependencies

    @Test
    void protobufRuntimeLoadsBothClientsMessages() throws Exception {
        Points.PointStruct point = Points.PointStruct.newBuilder()
                .setId(PointIdFactory.id(7))
                .setVectors(VectorsFactory.vectors(0.5f, 0.25f))
                .putPayload("route", JsonWithInt.Value.newBuilder().setStringValue("billing").build())
                .build();
        assertEquals(point, Points.PointStruct.parseFrom(point.toByteArray()));
        assertEquals("billing", Points.PointStruct.parseFrom(point.toByteArray()).getPayloadMap()
                .get("route").getStringValue());

        UpsertRequest upsert = UpsertRequest.newBuilder().setNamespace("ns")
                .addVectors(Vector.newBuilder().setId("a").addValues(0.5f).setMetadata(struct("route", "billing")))
                .build();
        assertEquals(upsert, UpsertRequest.parseFrom(upsert.toByteArray()));
        assertEquals(com.google.protobuf.GeneratedMessage.class, UpsertRequest.class.getSuperclass(),
                "the Pinecone client is protobuf 4 gencode");
    }

    // ------------------------------------------------------------------ control plane

    @Test
    void createDescribeListDeleteAnIndex() {
        String name = name();
        IndexModel created = pinecone.createServerlessIndex(name, "dotproduct", 4, "aws", "us-west-2", "disabled",
                Map.of("team", "routing"));
        assertEquals(name, created.getName());
        assertEquals(4, created.getDimension());
        assertEquals("dotproduct", created.getMetric());
        assertEquals("127.0.0.1:" + server.grpcPort(name), created.getHost());
        assertTrue(created.getStatus().getReady());

        IndexModel described = pinecone.describeIndex(name);
        assertEquals("us-west-2", described.getSpec().getIndexModelServerless().getServerless().getRegion());
        assertEquals("aws", described.getSpec().getIndexModelServerless().getServerless().getCloud());
        assertEquals("disabled", described.getDeletionProtection());
        assertEquals("dense", described.getVectorType());
        assertEquals(Map.of("team", "routing"), described.getTags());

        IndexList list = pinecone.listIndexes();
        assertTrue(list.getIndexes().stream().anyMatch(m -> m.getName().equals(name)));
        assertEquals(Set.of(name), server.indexes());

        PineconeAlreadyExistsException exists = assertThrows(PineconeAlreadyExistsException.class,
                () -> pinecone.createServerlessIndex(name, "cosine", 4, "aws", "us-east-1", "disabled", Map.of()));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());

        pinecone.deleteIndex(name);
        assertEquals(Set.of(), server.indexes());
        assertThrows(PineconeNotFoundException.class, () -> pinecone.describeIndex(name));
        assertThrows(PineconeNotFoundException.class, () -> pinecone.deleteIndex(name));
    }

    @Test
    void badIndexSettingsAreRefusedWith400() {
        PineconeBadRequestException badName = assertThrows(PineconeBadRequestException.class,
                () -> pinecone.createServerlessIndex("Not_Valid", "cosine", 4, "aws", "us-east-1", "disabled",
                        Map.of()));
        assertTrue(badName.getMessage().contains("Name must be"), badName.getMessage());
        PineconeBadRequestException badMetric = assertThrows(PineconeBadRequestException.class,
                () -> pinecone.createServerlessIndex(name(), "manhattan", 4, "aws", "us-east-1", "disabled",
                        Map.of()));
        assertTrue(badMetric.getMessage().contains("manhattan"), badMetric.getMessage());
        PineconeBadRequestException tooBig = assertThrows(PineconeBadRequestException.class,
                () -> pinecone.createServerlessIndex(name(), "cosine", 20_001, "aws", "us-east-1", "disabled",
                        Map.of()));
        assertTrue(tooBig.getMessage().contains("Dimension"), tooBig.getMessage());
        assertEquals(Set.of(), server.indexes());
    }

    @Test
    void unsupportedControlPlaneCallsAreRefusedByName() {
        String name = name();
        pinecone.createServerlessIndex(name, "cosine", 4, "aws", "us-east-1", "disabled", Map.of());
        PineconeBadRequestException e = assertThrows(PineconeBadRequestException.class,
                () -> pinecone.configureServerlessIndex(name, "enabled", Map.of(), null));
        assertTrue(e.getMessage().contains("PATCH /indexes/{name}"), e.getMessage());
        PineconeException collections = assertThrows(PineconeException.class, () -> pinecone.listCollections());
        assertTrue(collections.getMessage().contains("GET /collections"), collections.getMessage());
    }

    @Test
    void deletionProtectionForbidsDelete() {
        String name = name();
        pinecone.createServerlessIndex(name, "cosine", 4, "aws", "us-east-1", "enabled", Map.of());
        assertThrows(PineconeForbiddenException.class, () -> pinecone.deleteIndex(name));
        assertEquals(Set.of(name), server.indexes());
    }

    @Test
    void aNewIndexIsNotReadyForItsFirstDescribes() {
        server.notReadyDescribes(2);
        String name = name();
        IndexModel created = pinecone.createServerlessIndex(name, "cosine", 4, "aws", "us-east-1", "disabled",
                Map.of());
        assertFalse(created.getStatus().getReady());
        assertEquals("Initializing", created.getStatus().getState());
        int describes = 0;
        IndexModel model;
        do {
            model = pinecone.describeIndex(name);
            describes++;
            assertTrue(describes <= 5, "never became ready");
        } while (!model.getStatus().getReady());
        assertEquals("Ready", model.getStatus().getState());
        assertEquals(3, describes);
        assertEquals(3, server.calls("http:GET /indexes/{name}"));
    }

    // ------------------------------------------------------------------ data plane

    @Test
    void upsertFetchAndQueryWithNamespacesAndFilters() {
        Index index = index(4, "cosine");
        index.upsert(List.of(
                new VectorWithUnsignedIndices("a", vec(1, 0, 0, 0),
                        struct("genre", "drama", "year", 2019, "tags", List.of("x", "y"), "live", true), null),
                new VectorWithUnsignedIndices("b", vec(0.9f, 0.1f, 0, 0),
                        struct("genre", "comedy", "year", 2021, "tags", List.of("y")), null),
                new VectorWithUnsignedIndices("c", vec(0, 1, 0, 0), struct("genre", "drama", "year", 2023), null)),
                "ns1");
        index.upsert("z", vec(1, 0, 0, 0), null, null, struct("genre", "drama"), "ns2");

        FetchResponse fetched = index.fetch(List.of("a", "c", "missing"), "ns1");
        assertEquals(Set.of("a", "c"), fetched.getVectorsMap().keySet());
        assertEquals(vec(1, 0, 0, 0), fetched.getVectorsMap().get("a").getValuesList());
        assertEquals(2019.0, fetched.getVectorsMap().get("a").getMetadata().getFieldsMap().get("year")
                .getNumberValue());
        assertEquals(Set.of(), index.fetch(List.of("a"), "ns2").getVectorsMap().keySet());

        QueryResponseWithUnsignedIndices all = index.query(3, vec(1, 0, 0, 0), null, null, null, "ns1", null,
                true, true);
        assertEquals(List.of("a", "b", "c"), ids(all), "best first");
        assertEquals(1.0f, all.getMatches(0).getScore(), 1e-6);
        assertEquals(vec(1, 0, 0, 0), all.getMatches(0).getValuesList());
        assertEquals("drama", all.getMatches(0).getMetadata().getFieldsMap().get("genre").getStringValue());

        QueryResponseWithUnsignedIndices bare = index.query(1, vec(1, 0, 0, 0), null, null, null, "ns1", null,
                false, false);
        assertTrue(bare.getMatches(0).getValuesList().isEmpty());
        assertFalse(bare.getMatches(0).getMetadata().getFieldsMap().containsKey("genre"));

        assertEquals(List.of("a", "c"), ids(index.queryByVector(10, vec(1, 0, 0, 0), "ns1",
                struct("genre", "drama"))));
        assertEquals(List.of("z"), ids(index.queryByVector(10, vec(1, 0, 0, 0), "ns2",
                struct("genre", "drama"))));
        assertEquals(List.of("b", "c"), ids(index.queryByVector(10, vec(1, 0, 0, 0), "ns1",
                struct("year", struct("$gte", 2020)))));
        assertEquals(List.of("a", "b"), ids(index.queryByVector(10, vec(1, 0, 0, 0), "ns1",
                struct("tags", "y"))), "list metadata matches any element");
        assertEquals(List.of("a", "b", "c"), ids(index.queryByVectorId(10, "a", "ns1")));
    }

    @Test
    void everyFilterOperatorFollowsPineconesSemantics() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.putVector(name, "", "a", new float[] {1, 0}, Map.of("g", "drama", "n", 1, "t", List.of("x", "y")));
        server.putVector(name, "", "b", new float[] {1, 0}, Map.of("g", "comedy", "n", 2, "flag", true));
        server.putVector(name, "", "c", new float[] {1, 0}, Map.of("n", 3, "t", List.of("z")));
        Map<String, Struct> cases = new HashMap<>();
        Map<String, List<String>> expected = new HashMap<>();
        cases.put("$eq", struct("g", struct("$eq", "drama")));
        expected.put("$eq", List.of("a"));
        cases.put("$ne", struct("g", struct("$ne", "drama")));
        expected.put("$ne", List.of("b", "c"));
        cases.put("$in", struct("g", struct("$in", List.of("drama", "comedy"))));
        expected.put("$in", List.of("a", "b"));
        cases.put("$nin", struct("t", struct("$nin", List.of("x"))));
        expected.put("$nin", List.of("b", "c"));
        cases.put("$gt", struct("n", struct("$gt", 1)));
        expected.put("$gt", List.of("b", "c"));
        cases.put("$gte", struct("n", struct("$gte", 2)));
        expected.put("$gte", List.of("b", "c"));
        cases.put("$lt", struct("n", struct("$lt", 2)));
        expected.put("$lt", List.of("a"));
        cases.put("$lte", struct("n", struct("$lte", 2)));
        expected.put("$lte", List.of("a", "b"));
        cases.put("$exists", struct("flag", struct("$exists", true)));
        expected.put("$exists", List.of("b"));
        cases.put("$exists false", struct("g", struct("$exists", false)));
        expected.put("$exists false", List.of("c"));
        cases.put("$and", struct("$and", List.of(struct("n", struct("$gte", 2)), struct("t", "z"))));
        expected.put("$and", List.of("c"));
        cases.put("$or", struct("$or", List.of(struct("g", "drama"), struct("flag", true))));
        expected.put("$or", List.of("a", "b"));
        cases.put("implicit and", struct("n", struct("$gt", 0, "$lt", 3), "g", "comedy"));
        expected.put("implicit and", List.of("b"));
        cases.put("boolean", struct("flag", true));
        expected.put("boolean", List.of("b"));
        for (Map.Entry<String, Struct> e : cases.entrySet()) {
            List<String> got = ids(index.queryByVector(10, vec(1, 0), "", e.getValue())).stream().sorted()
                    .toList();
            assertEquals(expected.get(e.getKey()), got, e.getKey());
        }

        StatusRuntimeException regex = grpcError(Status.Code.INVALID_ARGUMENT,
                () -> index.queryByVector(10, vec(1, 0), "", struct("g", struct("$regex", "dr.*"))));
        assertTrue(regex.getMessage().contains("$regex"), regex.getMessage());
        StatusRuntimeException gtString = grpcError(Status.Code.INVALID_ARGUMENT,
                () -> index.queryByVector(10, vec(1, 0), "", struct("n", struct("$gt", "1"))));
        assertTrue(gtString.getMessage().contains("$gt"), gtString.getMessage());
    }

    @Test
    void scoresFollowTheMetric() {
        Index euclid = index(2, "euclidean");
        euclid.upsert(List.of(new VectorWithUnsignedIndices("near", vec(1, 1)),
                new VectorWithUnsignedIndices("far", vec(5, 5))), "");
        QueryResponseWithUnsignedIndices e = euclid.queryByVector(2, vec(1, 2));
        assertEquals(List.of("near", "far"), ids(e), "smallest distance first");
        assertEquals(1.0f, e.getMatches(0).getScore(), 1e-6, "squared euclidean distance");
        assertEquals(25.0f, e.getMatches(1).getScore(), 1e-6);

        Index dot = index(2, "dotproduct");
        dot.upsert(List.of(new VectorWithUnsignedIndices("small", vec(1, 0)),
                new VectorWithUnsignedIndices("big", vec(3, 0))), "");
        QueryResponseWithUnsignedIndices d = dot.queryByVector(2, vec(2, 0));
        assertEquals(List.of("big", "small"), ids(d));
        assertEquals(6.0f, d.getMatches(0).getScore(), 1e-6);
    }

    @Test
    void wrongDimensionAndBadMetadataAreRefused() {
        Index index = index(4, "cosine");
        StatusRuntimeException e = grpcError(Status.Code.INVALID_ARGUMENT,
                () -> index.upsert("a", vec(1, 2, 3, 4, 5, 6, 7)));
        assertTrue(e.getMessage().contains("Vector dimension 7 does not match the dimension of the index 4"),
                e.getMessage());
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.upsert("a", vec(1, 0, 0, 0), null, null,
                struct("nested", struct("k", "v")), ""));
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.upsert("a", vec(1, 0, 0, 0), null, null,
                struct("numbers", List.of(1, 2)), ""));
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.queryByVector(1, vec(1, 0)));
        assertEquals(0, server.vectorCount(server.indexes().iterator().next(), ""));
    }

    @Test
    void upsertLimitsAreEnforced() {
        Index small = index(2, "cosine");
        List<VectorWithUnsignedIndices> tooMany = IntStream.range(0, 1001)
                .mapToObj(i -> new VectorWithUnsignedIndices("v" + i, vec(1, i))).toList();
        StatusRuntimeException count = grpcError(Status.Code.INVALID_ARGUMENT, () -> small.upsert(tooMany, ""));
        assertTrue(count.getMessage().contains("1000"), count.getMessage());
        small.upsert(tooMany.subList(0, 1000), "");

        Index wide = index(2000, "cosine");
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            values.add(i + 1f);
        }
        List<VectorWithUnsignedIndices> big = IntStream.range(0, 300)
                .mapToObj(i -> new VectorWithUnsignedIndices("w" + i, values)).toList();
        StatusRuntimeException size = grpcError(Status.Code.INVALID_ARGUMENT, () -> wide.upsert(big, ""));
        assertTrue(size.getMessage().contains("2MB"), size.getMessage());
        wide.upsert(big.subList(0, 100), "");
    }

    @Test
    void listPaginatesInIdOrderWithinAPrefix() {
        Index index = index(2, "cosine");
        List<String> expected = new ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            List<VectorWithUnsignedIndices> vectors = new ArrayList<>();
            for (int i = batch * 1000; i < Math.min(2500, (batch + 1) * 1000); i++) {
                String id = String.format("doc#%04d", 2499 - i);
                expected.add(id);
                vectors.add(new VectorWithUnsignedIndices(id, vec(1, i)));
            }
            index.upsert(vectors, "ns");
        }
        index.upsert(List.of(new VectorWithUnsignedIndices("doc", vec(1, 1)),
                new VectorWithUnsignedIndices("dob#1", vec(1, 1)),
                new VectorWithUnsignedIndices("doc$1", vec(1, 1))), "ns");
        expected.sort(null);

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        ListResponse page = index.list("ns", "doc#", 1000);
        while (true) {
            page.getVectorsList().stream().map(ListItem::getId).forEach(seen::add);
            pageSizes.add(page.getVectorsCount());
            if (!page.hasPagination()) {
                break;
            }
            page = index.list("ns", "doc#", page.getPagination().getNext(), 1000);
        }
        assertEquals(List.of(1000, 1000, 500), pageSizes);
        int firstDifference = IntStream.range(0, Math.min(expected.size(), seen.size()))
                .filter(i -> !expected.get(i).equals(seen.get(i))).findFirst().orElse(-1);
        assertEquals(-1, firstDifference, () -> "ids out of order from position " + firstDifference + ": "
                + seen.subList(firstDifference, Math.min(seen.size(), firstDifference + 3)));
        assertEquals(expected.size(), seen.size());

        ListResponse firstHundred = index.list("ns");
        assertEquals(100, firstHundred.getVectorsCount(), "default limit");
        assertEquals("dob#1", firstHundred.getVectors(0).getId());
        assertEquals(0, index.list("other-ns").getVectorsCount());
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.list("ns", "doc#", 1001));
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.list("ns", "doc#", "not-a-token", 10));
    }

    @Test
    void fetchTakesAtMostAThousandIds() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            ids.add("id-" + i);
            server.putVector(name, "", "id-" + i, new float[] {1, i}, Map.of());
        }
        assertEquals(1000, index.fetch(ids.subList(0, 1000)).getVectorsCount());
        StatusRuntimeException e = grpcError(Status.Code.INVALID_ARGUMENT, () -> index.fetch(ids));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void deleteByIdsByFilterAndAllAndTheStats() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        for (int i = 0; i < 6; i++) {
            server.putVector(name, "a", "a" + i, new float[] {1, i}, Map.of("route", i % 2 == 0 ? "even" : "odd"));
        }
        server.putVector(name, "b", "b0", new float[] {1, 0}, Map.of());

        DescribeIndexStatsResponse stats = index.describeIndexStats();
        assertEquals(2, stats.getDimension());
        assertEquals(7, stats.getTotalVectorCount());
        assertEquals(6, stats.getNamespacesMap().get("a").getVectorCount());
        assertEquals(1, stats.getNamespacesMap().get("b").getVectorCount());

        index.deleteByIds(List.of("a0", "missing"), "a");
        assertEquals(5, server.vectorCount(name, "a"));
        index.deleteByFilter(struct("route", "odd"), "a");
        assertEquals(Set.of("a2", "a4"), index.fetch(List.of("a1", "a2", "a3", "a4", "a5"), "a").getVectorsMap()
                .keySet());
        index.deleteAll("b");
        stats = index.describeIndexStats();
        assertEquals(2, stats.getTotalVectorCount());
        assertEquals(Set.of("a"), stats.getNamespacesMap().keySet(), "an emptied namespace disappears");

        StatusRuntimeException refused = grpcError(Status.Code.INVALID_ARGUMENT,
                () -> index.describeIndexStats(struct("route", "even")));
        assertTrue(refused.getMessage().contains("Serverless"), refused.getMessage());
        server.statsFilterSupported(true);
        assertEquals(2, index.describeIndexStats(struct("route", "even")).getTotalVectorCount());
    }

    @Test
    void updateSetsValuesAndMergesMetadata() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.putVector(name, "", "a", new float[] {1, 0}, Map.of("route", "x", "n", 1));
        index.update("a", vec(0, 1), struct("route", "y", "extra", true), "", null, null);
        assertArrayEquals(new float[] {0, 1}, server.valuesOf(name, "", "a"));
        assertEquals(Map.of("route", "y", "n", 1.0, "extra", true), server.metadataOf(name, "", "a"));
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.update("a", vec(1, 2, 3)));
    }

    @Test
    void unimplementedDataPlaneCallsAreRefusedByName() {
        Index index = index(2, "cosine");
        StatusRuntimeException e = grpcError(Status.Code.UNIMPLEMENTED, () -> index.listNamespaces());
        assertTrue(e.getMessage().contains("ListNamespaces"), e.getMessage());
        assertEquals(1, server.calls("ListNamespaces"));
    }

    // ------------------------------------------------------------------ API key

    @Test
    void aWrongOrMissingApiKeyIsRefusedOnBothPlanesWithoutShowingTheKey() throws Exception {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        String wrong = "wrong-key-9876543210";

        PineconeAuthorizationException http = assertThrows(PineconeAuthorizationException.class,
                () -> client(wrong).describeIndex(name));
        assertFalse(http.getMessage().contains(KEY) || http.getMessage().contains(wrong), http.getMessage());

        HttpResponse<String> missing = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.controlUrl() + "/indexes")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, missing.statusCode());
        JsonNode body = new ObjectMapper().readTree(missing.body());
        assertEquals("UNAUTHENTICATED", body.path("error").path("code").asText());
        assertEquals(401, body.path("status").asInt());

        PineconeConfig config = new PineconeConfig(wrong);
        config.setHost("127.0.0.1:" + server.grpcPort(name));
        config.setTLSEnabled(false);
        PineconeConnection connection = new PineconeConnection(config);
        toClose.add(connection);
        StatusRuntimeException grpc = grpcError(Status.Code.UNAUTHENTICATED,
                () -> new Index(config, connection, name).describeIndexStats());
        assertFalse(grpc.getMessage().contains(KEY) || grpc.getMessage().contains(wrong), grpc.getMessage());

        ManagedChannel bare = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort(name)).usePlaintext()
                .build();
        try {
            grpcError(Status.Code.UNAUTHENTICATED, () -> VectorServiceGrpc.newBlockingStub(bare)
                    .describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance()));
        } finally {
            bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertEquals(2, server.calls("DescribeIndexStats"), "refused calls are counted");
        assertEquals(0, index.describeIndexStats().getTotalVectorCount(), "the right key still works");
    }

    // ------------------------------------------------------------------ faults and counting

    @Test
    void anInjectedFailureFailsOneCallWithoutApplyingIt() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.failCall(2, Status.Code.UNAVAILABLE);
        index.upsert("a", vec(1, 0));
        grpcError(Status.Code.UNAVAILABLE, () -> index.upsert("b", vec(1, 0)));
        assertNull(server.metadataOf(name, "", "b"));
        index.upsert("b", vec(1, 0));
        assertEquals(2, server.vectorCount(name, ""));
        assertEquals(3, server.calls("Upsert"), "the failed call is counted");
    }

    @Test
    void anInjectedHttpFailureAnswersWithPineconesErrorShape() throws Exception {
        String name = name();
        server.failHttp(1, 503);
        PineconeException e = assertThrows(PineconeException.class,
                () -> pinecone.createServerlessIndex(name, "cosine", 2, "aws", "us-east-1", "disabled", Map.of()));
        assertTrue(e.getMessage().contains("503"), e.getMessage());
        assertEquals(Set.of(), server.indexes(), "not applied");
        pinecone.createServerlessIndex(name, "cosine", 2, "aws", "us-east-1", "disabled", Map.of());

        server.failHttp(1, 429);
        HttpResponse<String> limited = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.controlUrl() + "/indexes/" + name)).header("Api-Key", KEY)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode());
        JsonNode body = new ObjectMapper().readTree(limited.body());
        assertEquals("RESOURCE_EXHAUSTED", body.path("error").path("code").asText());
        assertEquals(429, body.path("status").asInt());
        assertEquals(2, server.calls("http:POST /indexes"));
        assertEquals(1, server.calls("http:GET /indexes/{name}"));
    }

    @Test
    void aDroppedConnectionAppliesTheCallButAnswersNothing() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.dropConnectionOnCall(1);
        grpcError(Status.Code.UNAVAILABLE, () -> index.upsert("a", vec(1, 0)));
        assertEquals(1, server.vectorCount(name, ""), "applied although unanswered");
        StatusRuntimeException again = null;
        FetchResponse fetched = null;
        for (int attempt = 0; attempt < 5 && fetched == null; attempt++) {
            try {
                fetched = index.fetch(List.of("a"));
            } catch (StatusRuntimeException e) {
                again = e;
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            }
        }
        assertNotNull(fetched, "the client reconnects: " + again);
        assertEquals(Set.of("a"), fetched.getVectorsMap().keySet());
    }

    @Test
    void aHungCallEndsOnlyAtTheClientsDeadline() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        PineconeConfig config = new PineconeConfig(KEY);
        config.setHost("127.0.0.1:" + server.grpcPort(name));
        config.setTLSEnabled(false);
        PineconeConnection connection = new PineconeConnection(config);
        toClose.add(connection);
        server.hangCall(1);
        UpsertRequest request = UpsertRequest.newBuilder()
                .addVectors(Vector.newBuilder().setId("a").addValues(1).addValues(0)).build();
        grpcError(Status.Code.DEADLINE_EXCEEDED, () -> connection.getBlockingStub()
                .withDeadlineAfter(300, TimeUnit.MILLISECONDS).upsert(request));
        assertEquals(0, server.vectorCount(name, ""), "not applied");
        index.upsert("a", vec(1, 0));
        assertEquals(1, server.vectorCount(name, ""));
    }

    @Test
    void latencyDelaysButDoesNotBreakCalls() {
        server.latency(Duration.ofMillis(2));
        Index index = index(2, "cosine");
        index.upsert("a", vec(1, 0));
        assertEquals(1, index.fetch(List.of("a")).getVectorsCount());
    }

    @Test
    void everyCallIsCountedUnderItsDocumentedName() {
        Index index = index(2, "cosine");
        index.upsert("a", vec(1, 0));
        index.fetch(List.of("a"));
        index.list("");
        index.queryByVector(1, vec(1, 0));
        index.describeIndexStats();
        index.deleteByIds(List.of("a"));
        index.update("zz", vec(1, 1));
        pinecone.listIndexes();
        Map<String, Integer> counts = server.callCounts();
        assertEquals(Map.of("Upsert", 1, "Fetch", 1, "List", 1, "Query", 1, "DescribeIndexStats", 1, "Delete", 1,
                "Update", 1, "http:POST /indexes", 1, "http:GET /indexes/{name}", 1, "http:GET /indexes", 1),
                counts);
        assertEquals(10, server.totalCalls());
        server.resetCounts();
        assertEquals(0, server.totalCalls());
        assertEquals(0, server.calls("Upsert"));
    }

    @Test
    void writesBecomeVisibleOnlyAfterTheConfiguredNumberOfReads() {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.visibilityDelay(2);
        index.upsert("a", vec(1, 0));
        assertEquals(1, server.vectorCount(name, ""), "the hooks show the latest state");
        assertEquals(0, index.fetch(List.of("a")).getVectorsCount(), "read 1");
        assertEquals(0, index.describeIndexStats().getTotalVectorCount(), "read 2");
        assertEquals(1, index.list("").getVectorsCount(), "read 3 sees it");
        assertEquals(List.of("a"), ids(index.queryByVector(1, vec(1, 0))));

        index.deleteByIds(List.of("a"));
        assertEquals(0, server.vectorCount(name, ""));
        assertEquals(1, index.fetch(List.of("a")).getVectorsCount(), "a delete is delayed too");
        assertEquals(1, index.fetch(List.of("a")).getVectorsCount());
        assertEquals(0, index.fetch(List.of("a")).getVectorsCount());
    }

    @Test
    void grpcPortReachesTheOnlyIndexDirectly() throws InterruptedException {
        Index index = index(2, "cosine");
        index.upsert("a", vec(1, 0));
        ManagedChannel direct = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(apiKeyHeaders()))
                .build();
        try {
            FetchResponse r = VectorServiceGrpc.newBlockingStub(direct)
                    .fetch(FetchRequest.newBuilder().addIds("a").build());
            assertEquals(Set.of("a"), r.getVectorsMap().keySet());
        } finally {
            direct.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static io.grpc.Metadata apiKeyHeaders() {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("api-key", io.grpc.Metadata.ASCII_STRING_MARSHALLER), KEY);
        return headers;
    }

    @Test
    void seededMetadataReadsBackAsThePythonLibraryWroteIt() throws IOException {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.putVector(name, "", "a", new float[] {1, 0}, Map.of("year", 2020, "tags", List.of("p", "q")));
        Struct md = index.fetch(List.of("a")).getVectorsMap().get("a").getMetadata();
        assertEquals(2020.0, md.getFieldsMap().get("year").getNumberValue());
        assertEquals(List.of("p", "q"), md.getFieldsMap().get("tags").getListValue().getValuesList().stream()
                .map(Value::getStringValue).collect(Collectors.toList()));
        assertThrows(IllegalArgumentException.class,
                () -> server.putVector(name, "", "b", new float[] {1, 0}, Map.of("nested", Map.of("k", "v"))));
    }

    // ------------------------------------------------------------------ issue 9: behaviours of the real service

    @Test
    void podAndByocIndexesAreDescribedAsTheApiDescribesThemAndRefuseList() {
        String pod = name();
        pinecone.createPodsIndex(pod, 2, "us-east-1-aws", "p1.x1", "disabled");
        IndexModel described = pinecone.describeIndex(pod);
        IndexModelPodBased spec = assertInstanceOf(IndexModelPodBased.class, described.getSpec().getActualInstance());
        assertEquals("us-east-1-aws", spec.getPod().getEnvironment());
        assertEquals("p1.x1", spec.getPod().getPodType());
        Index index = pinecone.getIndexConnection(pod);
        toClose.add(index::close);
        index.upsert("a", vec(1, 0));
        assertEquals(1, index.fetch(List.of("a")).getVectorsCount(), "a pod index serves fetch");
        StatusRuntimeException e = grpcError(Status.Code.UNIMPLEMENTED, () -> index.list(""));
        assertTrue(e.getMessage().contains("serverless"), e.getMessage());

        String byoc = name();
        server.createByocIndex(byoc, 2, "cosine", "aws-us-east-1-b921");
        IndexModelBYOC byocSpec = assertInstanceOf(IndexModelBYOC.class, pinecone.describeIndex(byoc).getSpec().getActualInstance());
        assertEquals("aws-us-east-1-b921", byocSpec.getByoc().getEnvironment());
        String serverless = name();
        pinecone.createServerlessIndex(serverless, "cosine", 2, "aws", "us-east-1", "disabled", Map.of());
        assertInstanceOf(IndexModelServerless.class, pinecone.describeIndex(serverless).getSpec().getActualInstance());
    }

    @Test
    void idsAndNamespacesFollowPineconesIdentifierLimits() {
        Index index = index(2, "cosine");
        index.upsert("i".repeat(512), vec(1, 0));
        StatusRuntimeException tooLong = grpcError(Status.Code.INVALID_ARGUMENT, () -> index.upsert("i".repeat(513), vec(1, 0)));
        assertTrue(tooLong.getMessage().contains("512"), tooLong.getMessage());
        StatusRuntimeException unicode = grpcError(Status.Code.INVALID_ARGUMENT, () -> index.upsert("café#1", vec(1, 0)));
        assertTrue(unicode.getMessage().contains("ID must be ASCII, but got 'café#1'"), unicode.getMessage());
        grpcError(Status.Code.INVALID_ARGUMENT, () -> index.upsert("a", vec(1, 0), "acmé"));
        index.upsert("with space", vec(1, 0));
        StatusRuntimeException spaced = grpcError(Status.Code.INVALID_ARGUMENT, () -> index.fetch(List.of("with space")));
        assertTrue(spaced.getMessage().contains("spaces"), spaced.getMessage());
        assertEquals(1, index.fetch(List.of("i".repeat(512))).getVectorsCount());
    }

    @Test
    void theLargestListLimitCanBeLowered() {
        Index index = index(2, "cosine");
        index.upsert("a", vec(1, 0));
        assertEquals(1, index.list("", 1000).getVectorsCount(), "1,000 by default");
        server.maxListLimit(100);
        StatusRuntimeException e = grpcError(Status.Code.INVALID_ARGUMENT, () -> index.list("", 101));
        assertTrue(e.getMessage().contains("limit must be between 1 and 100"), e.getMessage());
        assertEquals(1, index.list("", 100).getVectorsCount());
    }

    @Test
    void freshnessIsTimeBasedPerNamespaceAndPerKindOfRead() throws InterruptedException {
        Index index = index(2, "cosine");
        String name = server.indexes().iterator().next();
        server.freshnessLag("slow-list", Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        index.upsert("a", vec(1, 0), "slow-list");
        index.upsert("a", vec(1, 0), "other");
        assertEquals(1, server.vectorCount(name, "slow-list"), "the hooks show the latest state");
        assertEquals(1, index.fetch(List.of("a"), "slow-list").getVectorsCount(), "fetch is fresh");
        assertEquals(List.of("a"), ids(index.queryByVector(1, vec(1, 0), "slow-list")), "query is fresh");
        assertEquals(0, index.list("slow-list").getVectorsCount(), "list lags an hour");
        assertEquals(1, index.list("other").getVectorsCount(), "another namespace has its own lags");

        server.freshnessLag(Duration.ofMillis(30), Duration.ofMillis(30), Duration.ofMillis(30));
        index.upsert("b", vec(0, 1), "timed");
        index.deleteByIds(List.of("b"), "timed");
        index.upsert("c", vec(0, 1), "timed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (index.fetch(List.of("c"), "timed").getVectorsCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Set.of("c"), index.fetch(List.of("b", "c"), "timed").getVectorsMap().keySet(), "in the order written");
        while (index.list("timed").getVectorsCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("c"), index.list("timed").getVectorsList().stream().map(ListItem::getId).toList());
    }
}
