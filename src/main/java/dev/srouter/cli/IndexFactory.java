package dev.srouter.cli;

import dev.srouter.core.SrouterException;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.file.FileIndex;
import dev.srouter.index.pinecone.PineconeIndex;
import dev.srouter.index.postgres.PostgresIndex;
import dev.srouter.index.postgres.PostgresUrl;
import dev.srouter.index.qdrant.QdrantEndpoint;
import dev.srouter.index.qdrant.QdrantIndex;
import java.nio.file.Path;
import java.time.Clock;

/** Builds the index named by {@code --index}: {@code local} (from the routes file), {@code file:PATH}, {@code qdrant}, {@code pinecone} or {@code postgres}. */
final class IndexFactory {
    private IndexFactory() {}

    static boolean isLocal(String spec) {
        return spec == null || spec.isBlank() || spec.equals("local");
    }

    /** The remote-style index, for diff, sync and friends; {@code local} is not one. */
    static VectorIndex remote(RootCommand root, String command) {
        String spec = root.index;
        if (isLocal(spec)) {
            throw SrouterException.usage(command + " compares the routes file with a remote index: pass --index qdrant, "
                    + "--index pinecone, --index postgres or --index file:PATH (an embedded index in a directory), or set SROUTER_INDEX");
        }
        if (spec.startsWith("file:")) {
            String path = spec.substring("file:".length());
            if (path.isBlank()) {
                throw SrouterException.usage("--index file: needs a directory, e.g. --index file:.srouter-index");
            }
            return new FileIndex(Path.of(path), root.indexName, root.namespace, Clock.systemUTC());
        }
        if (spec.equals("qdrant")) {
            String url = root.qdrantUrl != null ? root.qdrantUrl : root.ctx.env("QDRANT_URL");
            return QdrantIndex.connect(QdrantEndpoint.parse(url), root.ctx.env("QDRANT_API_KEY"), root.indexName, root.namespace,
                    Clock.systemUTC(), RetryPolicy.defaults());
        }
        if (spec.equals("pinecone")) {
            String host = root.pineconeHost != null ? root.pineconeHost : root.ctx.env("PINECONE_HOST");
            String settle = root.ctx.env("SROUTER_PINECONE_SETTLE");
            PineconeIndex.Settings settings = PineconeIndex.Settings.defaults().withPlacement(root.cloud, root.region);
            if (settle != null && !settle.isBlank()) {
                settings = settings.withSettleDelay(Durations.parse(settle, "SROUTER_PINECONE_SETTLE"));
            }
            return PineconeIndex.connect(root.ctx.env("PINECONE_API_KEY"), host, root.indexName, root.namespace, Clock.systemUTC(), settings);
        }
        if (spec.equals("postgres")) {
            if (root.namespace != null && !root.namespace.isEmpty()) {
                throw SrouterException.usage("--index postgres has no namespaces (semantic-router's PostgresIndex keeps none): "
                        + "give each its own table with --index-name instead of --namespace");
            }
            String url = root.postgresUrl != null ? root.postgresUrl : root.ctx.env("POSTGRES_URL");
            return PostgresIndex.connect(PostgresUrl.parse(url, root.ctx.env("PGPASSWORD")), PostgresIndex.tableName(root.indexName),
                    Clock.systemUTC());
        }
        throw SrouterException.usage("unknown index '" + spec + "': use local, file:PATH, qdrant, pinecone or postgres");
    }
}
