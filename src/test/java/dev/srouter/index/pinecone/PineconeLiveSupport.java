package dev.srouter.index.pinecone;

import io.pinecone.clients.Pinecone;
import java.time.Clock;

/** What the live tests against real Pinecone share: the key and host from the environment, and cleaning up. */
public final class PineconeLiveSupport {
    private PineconeLiveSupport() {}

    public static String apiKey() {
        return System.getenv("PINECONE_API_KEY");
    }

    public static String host() {
        return System.getenv("PINECONE_HOST");
    }

    public static PineconeIndex open(String indexName, String namespace) {
        return PineconeIndex.connect(apiKey(), host(), indexName, namespace, Clock.systemUTC(), PineconeIndex.Settings.defaults());
    }

    /** Deletes a test index through the official client; a missing one is fine. */
    public static void deleteIndex(String name) {
        Pinecone.Builder b = new Pinecone.Builder(apiKey());
        if (host() != null && !host().isBlank()) {
            b.withHost(host()).withTlsEnabled(false);
        }
        try {
            b.build().deleteIndex(name);
        } catch (io.pinecone.exceptions.PineconeNotFoundException e) {
            // already gone
        }
    }
}
