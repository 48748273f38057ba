package dev.srouter.index.qdrant;

import io.qdrant.client.ConditionFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Common.Filter;
import java.time.Duration;
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
                    client.deleteAsync(QdrantIndex.CONFIG_COLLECTION, Filter.newBuilder()
                            .addMust(ConditionFactory.matchKeyword("scope", name)).build()).get(60, TimeUnit.SECONDS);
                }
            }
        }
    }
}
