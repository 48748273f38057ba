package dev.srouter.index.qdrant;

import static dev.srouter.index.RemoteIndexTesting.sync;
import static dev.srouter.index.RemoteIndexTesting.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.CountingEncoder;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.RemoteReader;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex.VectorRecord;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.StrictModeConfig;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.PointStruct;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The compatibility checks of {@code QdrantCompatibilityTest} against a real Qdrant (runs only when
 * {@code QDRANT_URL} is set): strict mode as Qdrant Cloud sets it, on a collection made as
 * semantic-router leaves it; the lock against the server's real version; TLS spoken or not; a read-only
 * key when {@code QDRANT_READ_ONLY_API_KEY} is set. Also checks the stand-in's strict-mode error text
 * against the server's.
 */
@EnabledIfEnvironmentVariable(named = "QDRANT_URL", matches = ".+")
class QdrantLiveCompatibilityTest {
    private final List<String> made = new ArrayList<>();
    private final List<QdrantIndex> opened = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        opened.forEach(QdrantIndex::close);
        QdrantLiveSupport.deleteCollections(made);
    }

    private String fresh() {
        String name = "srouter-live-" + UUID.randomUUID().toString().substring(0, 8);
        made.add(name);
        return name;
    }

    private QdrantIndex open(String url, String key, String collection) {
        QdrantIndex index = QdrantIndex.connect(QdrantEndpoint.parse(url), key, collection, null, Clock.systemUTC(), RetryPolicy.defaults());
        opened.add(index);
        return index;
    }

    private QdrantIndex open(String collection) {
        return open(QdrantLiveSupport.url(), QdrantLiveSupport.apiKey(), collection);
    }

    private static QdrantClient raw() {
        QdrantEndpoint endpoint = QdrantEndpoint.parse(QdrantLiveSupport.url());
        QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(endpoint.host(), endpoint.port(), endpoint.tls(), false);
        if (QdrantLiveSupport.apiKey() != null && !QdrantLiveSupport.apiKey().isEmpty()) {
            grpc.withApiKey(QdrantLiveSupport.apiKey());
        }
        return new QdrantClient(grpc.build());
    }

    /** A strict-mode collection (Cloud's setting) with semantic-router's points and no payload index. */
    private String semanticRouterCollectionInStrictMode(QdrantClient client) throws Exception {
        String name = fresh();
        client.createCollectionAsync(CreateCollection.newBuilder().setCollectionName(name)
                .setVectorsConfig(VectorsConfig.newBuilder().setParams(VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine)))
                .setStrictModeConfig(StrictModeConfig.newBuilder().setEnabled(true).setUnindexedFilteringRetrieve(false)
                        .setUnindexedFilteringUpdate(false))
                .build()).get(60, TimeUnit.SECONDS);
        client.upsertAsync(name, List.of(
                PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString("6583a1f8-7b8b-5502-b61e-6e740fa05c17")))
                        .setVectors(VectorsFactory.vectors(unit(4, 1)))
                        .putPayload("sr_route", ValueFactory.value("politics"))
                        .putPayload("sr_utterance", ValueFactory.value("isn't politics the best thing ever"))
                        .build(),
                PointStruct.newBuilder().setId(PointIdFactory.id(UUID.fromString("b2e40fa8-bb6d-533c-b1ae-fa80477ac7d0")))
                        .setVectors(VectorsFactory.vectors(unit(4, 3)))
                        .putPayload("sr_route", ValueFactory.value("politics"))
                        .putPayload("sr_utterance", ValueFactory.value("isn't politics the best thing ever"))
                        .putPayload("namespace", ValueFactory.value("acme"))
                        .build())).get(60, TimeUnit.SECONDS);
        return name;
    }

    @Test
    void theServerRefusesAnUnindexedFilterInStrictModeWithTheStandInsText() throws Exception {
        try (QdrantClient client = raw()) {
            String name = semanticRouterCollectionInStrictMode(client);
            ExecutionException e = assertThrows(ExecutionException.class, () -> client.countAsync(name,
                    Filter.newBuilder().addMust(ConditionFactory.isEmpty("namespace")).build(), true).get(60, TimeUnit.SECONDS));
            String message = e.getCause().getMessage();
            assertTrue(message.startsWith("INVALID_ARGUMENT: Bad request: Index required but not found for \"namespace\""), message);
        }
    }

    @Test
    void aStrictModeCollectionIsReadQueriedOnlyWithItsIndexesAndIndexedBySync() throws Exception {
        String name;
        try (QdrantClient client = raw()) {
            name = semanticRouterCollectionInStrictMode(client);
        }
        QdrantIndex index = open(name);
        assertEquals(1, index.describe().count());
        assertEquals(List.of("politics"), RemoteReader.read(index).routes().routeNames());
        SrouterException e = assertThrows(SrouterException.class, () -> index.query(unit(4, 1), 1, Set.of()));
        assertTrue(e.getMessage().contains("no payload index on 'namespace'"), e.getMessage());
        RouteSet local = RouteSet.of(List.of(new Route("politics", List.of("isn't politics the best thing ever", "they will save the country!"),
                null, null, Map.of(), List.of())));
        sync(index, new CountingEncoder("m", 4), local, SyncStrategy.LOCAL, 500, false);
        QdrantIndex again = open(name);
        assertEquals(2, again.describe().count());
        assertEquals("politics", again.query(unit(4, 1), 1, Set.of("politics")).get(0).route());
    }

    @Test
    void theLockHoldsOrIsRefusedAccordingToTheServersVersion() {
        String name = fresh();
        QdrantIndex index = open(name);
        index.create(4);
        int[] version = QdrantIndex.parseVersion(index.serverVersion());
        boolean supported = version == null || version[0] > 1 || (version[0] == 1 && (version[1] > 15 || (version[1] == 15 && version[2] >= 4)));
        if (supported) {
            try (LeaseLock.Held held = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(30)).acquire("live", Duration.ZERO)) {
                assertTrue(open(name).readConfig("srouter_lease").isPresent());
            }
        } else {
            SrouterException e = assertThrows(SrouterException.class,
                    () -> new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(30)).acquire("live", Duration.ZERO));
            assertEquals(ExitCode.FAILURE, e.exitCode());
        }
    }

    @Test
    void theOtherSchemeGetsOneLineSayingWhichTheServerSpeaks() {
        QdrantEndpoint endpoint = QdrantEndpoint.parse(QdrantLiveSupport.url());
        String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
        String other = (endpoint.tls() ? "http://" : "https://") + host + ":" + endpoint.port();
        SrouterException e = assertThrows(SrouterException.class, () -> open(other, QdrantLiveSupport.apiKey(), fresh()).describe());
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains(endpoint.tls() ? "speaks TLS" : "does not speak TLS"), e.getMessage());
    }

    @Test
    void aReadOnlyKeySaysItCannotWrite() {
        String readOnly = System.getenv("QDRANT_READ_ONLY_API_KEY");
        assumeTrue(readOnly != null && !readOnly.isEmpty(), "QDRANT_READ_ONLY_API_KEY is not set");
        String name = fresh();
        open(name).create(4);
        QdrantIndex reader = open(QdrantLiveSupport.url(), readOnly, name);
        SrouterException e = assertThrows(SrouterException.class,
                () -> reader.upsert(List.of(new VectorRecord("r", "u", unit(4, 1), Map.of(), List.of()))));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("did not let the API key"), e.getMessage());
    }
}
