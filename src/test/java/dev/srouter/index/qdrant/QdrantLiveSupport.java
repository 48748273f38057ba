package dev.srouter.index.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the live tests against a real Qdrant share: where it is, and cleaning up after them. */
public final class QdrantLiveSupport {
    private QdrantLiveSupport() {}

    public static String url() {
        return System.getenv("QDRANT_URL");
    }

    public static String apiKey() {
        return System.getenv("QDRANT_API_KEY");
    }

    /**
     * Deletes the {@code sr_config} entries scoped by {@code collection} (or {@code collection/namespace}),
     * found by a scroll without a filter: on a strict-mode server (Qdrant Cloud) {@code sr_config} has no
     * index on {@code scope}, so a delete by filter on it is refused.
     */
    private static void deleteConfigEntries(QdrantClient client, String collection) throws Exception {
        List<PointId> ids = new ArrayList<>();
        PointId offset = null;
        do {
            ScrollPoints.Builder request = ScrollPoints.newBuilder().setCollectionName(QdrantIndex.CONFIG_COLLECTION).setLimit(1000)
                    .setWithPayload(WithPayloadSelectorFactory.include(List.of("scope")));
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = client.scrollAsync(request.build()).get(60, TimeUnit.SECONDS);
            for (RetrievedPoint p : page.getResultList()) {
                Value scope = p.getPayloadMap().get("scope");
                if (scope != null && (scope.getStringValue().equals(collection) || scope.getStringValue().startsWith(collection + "/"))) {
                    ids.add(p.getId());
                }
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
        if (!ids.isEmpty()) {
            client.deleteAsync(QdrantIndex.CONFIG_COLLECTION, ids).get(60, TimeUnit.SECONDS);
        }
    }

    /** Deletes test collections and their entries in {@code sr_config}, through the official client. */
    public static void deleteCollections(List<String> names) throws Exception {
        QdrantEndpoint endpoint = QdrantEndpoint.parse(url());
        QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(endpoint.host(), endpoint.port(), endpoint.tls(), false);
        if (apiKey() != null && !apiKey().isEmpty()) {
            grpc.withApiKey(apiKey());
        }
        try (QdrantClient client = new QdrantClient(grpc.build())) {
            for (String name : names) {
                if (client.collectionExistsAsync(name, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS)) {
                    client.deleteCollectionAsync(name, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
                }
                if (client.collectionExistsAsync(QdrantIndex.CONFIG_COLLECTION, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS)) {
                    deleteConfigEntries(client, name);
                }
            }
        }
    }
}
