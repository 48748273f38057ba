package dev.srouter.cli;

import dev.srouter.core.Aggregation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options that shape a routing decision, shared by {@code route} and {@code repl}. */
final class RoutingOptions {
    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5",
            description = "Nearest utterances to consider. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--aggregation", paramLabel = "METHOD", defaultValue = Aggregation.DEFAULT, completionCandidates = CompletionValues.Aggregations.class,
            description = "How a route's similarities among the top-k become its score: mean, max or sum. Default: ${DEFAULT-VALUE}.")
    String aggregation;

    @Option(names = "--threshold", paramLabel = "X",
            description = {"Global score threshold in [0,1] for routes without their own score_threshold.",
                "Default: the encoder's (local 0.60, local:bge-small-en-v1.5 0.80, openai 0.30)."})
    Double threshold;

    @Option(names = "--filter", paramLabel = "ROUTE", split = ",", completionCandidates = CompletionValues.RouteNames.class,
            description = "Only consider these routes (comma-separated).")
    List<String> filter = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1",
            description = "Return up to N passing routes, best first. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--no-fit", description = "Decide with the kNN decision (top-k similarities against thresholds) even when "
            + "srouter fit has written a fitted decision beside the routes file (ROUTES.fit.json).")
    boolean noFit;

    @Option(names = "--explain", description = "Also show the nearest utterances and every candidate route's score against its threshold.")
    boolean explain;

    Aggregation aggregationMethod() {
        return Aggregation.parse(aggregation);
    }

    Set<String> filterSet() {
        Set<String> out = new LinkedHashSet<>();
        for (String f : filter) {
            if (!f.isBlank()) {
                out.add(f.trim());
            }
        }
        return out;
    }
}
