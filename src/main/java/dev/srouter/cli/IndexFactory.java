package dev.srouter.cli;

import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.file.FileIndex;
import java.nio.file.Path;
import java.time.Clock;

/** Builds the index named by {@code --index}: {@code local} (from the routes file) or {@code file:PATH}. */
final class IndexFactory {
    private IndexFactory() {}

    static boolean isLocal(String spec) {
        return spec == null || spec.isBlank() || spec.equals("local");
    }

    /** The remote-style index, for diff, sync and friends; {@code local} is not one. */
    static VectorIndex remote(RootCommand root, String command) {
        String spec = root.index;
        if (isLocal(spec)) {
            throw SrouterException.usage(command + " compares the routes file with a remote index: pass --index file:PATH "
                    + "(an embedded index in a directory) or set SROUTER_INDEX");
        }
        if (spec.startsWith("file:")) {
            String path = spec.substring("file:".length());
            if (path.isBlank()) {
                throw SrouterException.usage("--index file: needs a directory, e.g. --index file:.srouter-index");
            }
            return new FileIndex(Path.of(path), root.indexName, root.namespace, Clock.systemUTC());
        }
        if (spec.equals("qdrant") || spec.equals("pinecone")) {
            throw SrouterException.usage("--index " + spec + " is not available in this version; use --index file:PATH");
        }
        throw SrouterException.usage("unknown index '" + spec + "': use local or file:PATH");
    }
}
