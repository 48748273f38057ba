package dev.srouter.cli;

import dev.srouter.core.Aggregation;
import dev.srouter.core.SyncStrategy;
import dev.srouter.encoder.Encoders;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The values shell completion offers for options that take a fixed set, as picocli
 * {@code completionCandidates}. The scripts {@code srouter completion SHELL} prints are generated
 * from these, so the lists live beside the parsers that accept them.
 */
final class CompletionValues {
    private CompletionValues() {}

    /** {@code --strategy}: the six sync strategies. */
    static final class Strategies implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return SyncStrategy.cliNames().iterator();
        }
    }

    /** {@code --encoder}: the exact names {@link Encoders#create} accepts. */
    static final class EncoderNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Encoders.COMPLETIONS.iterator();
        }
    }

    /** {@code --index}: the kinds of index; {@code file:} is followed by a directory. */
    static final class IndexKinds implements Iterable<String> {
        static final String FILE_PREFIX = "file:";

        @Override
        public Iterator<String> iterator() {
            return List.of("local", FILE_PREFIX, "qdrant", "pinecone", "postgres").iterator();
        }
    }

    /** {@code --aggregation}. */
    static final class Aggregations implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Aggregation.values()).map(Aggregation::toString).iterator();
        }
    }

    /** {@code --cloud}: the clouds a Pinecone serverless index can be created in. */
    static final class Clouds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("aws", "gcp", "azure").iterator();
        }
    }

    /**
     * {@code --filter}: route names. They depend on the routes file on the command line, so the
     * scripts ask {@code srouter completion --list-routes} at completion time; this list is empty.
     */
    static final class RouteNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.<String>of().iterator();
        }
    }
}
