package dev.srouter.cli;

import dev.srouter.core.Aggregation;

import dev.srouter.core.AtomicFiles;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Hit;
import dev.srouter.core.LabelledData;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Utterance;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.RoutesFileEditor;
import dev.srouter.core.SrouterException;
import dev.srouter.encoder.Encoder;
import dev.srouter.fit.FittedModel;
import dev.srouter.fit.Fitter;
import dev.srouter.index.local.LocalIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = {
            "Learn the routing decision from the route utterances and labelled validation queries, and write it.",
            "",
            "Two outputs. ROUTES.fit.json beside the routes file: a softmax head over the encoder's embeddings, trained on the "
                    + "utterances, whose probability mixed with the best similarity makes a rejection score; its threshold and a "
                    + "calibrated confidence are chosen on the validation queries, which the head then also learns from. route, repl "
                    + "and eval use it while the routes' utterances and the encoder stay the same (--no-fit skips it). And the kNN "
                    + "decision's thresholds, written into the routes file as each route's score_threshold (comments kept), so that "
                    + "semantic-router sharing the file or index benefits too: one global threshold, or per-route ones only where "
                    + "they beat it on validation queries held out from their fit.",
            "",
            "Validation data (--data, as srouter eval reads it): queries labelled with a route, and queries labelled none "
                    + "(null in JSONL, '-' in TSV) for out of scope. Without those no threshold can be fitted: the head still "
                    + "picks the route, both decisions keep the encoder's threshold on the best similarity, and the routes file is "
                    + "left as it is. Keep the data you report figures on (srouter eval) out of it. The same inputs give the same files.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter fit -r routes.yaml --data validation.jsonl",
            "  srouter fit -r routes.yaml --data val.tsv --data out-of-scope.tsv --dry-run",
            "  srouter fit -r routes.yaml --data val.jsonl &&",
            "      srouter eval -r routes.yaml --data test.jsonl   # data fit never saw",
        })
final class FitCommand extends BaseCommand {
    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "Labelled validation queries, JSONL or TSV (repeatable; the files are concatenated).")
    List<Path> data = new ArrayList<>();

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "Format of every --data file: jsonl or tsv. Default: from the file name's extension (jsonl or ndjson, tsv).")
    LabelledData.Format dataFormat;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5",
            description = "Nearest utterances the decisions look at, as route's --top-k. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--aggregation", paramLabel = "METHOD", defaultValue = Aggregation.DEFAULT, completionCandidates = CompletionValues.Aggregations.class,
            description = "The kNN decision's aggregation the thresholds are fitted for (mean, max or sum). Default: ${DEFAULT-VALUE}.")
    String aggregation;

    @Option(names = "--thresholds", paramLabel = "KIND", defaultValue = "auto", completionCandidates = ThresholdKinds.class,
            description = "Which kNN thresholds to write: auto (per-route ones only where they beat one global threshold on "
                    + "held-out queries), global, or per-route (always). Default: ${DEFAULT-VALUE}.")
    String thresholdsKind;

    static final class ThresholdKinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("auto", "global", "per-route").iterator();
        }
    }

    @Option(names = "--min-oos-recall", paramLabel = "R",
            description = "Choose the thresholds for the most in-scope accuracy at an out-of-scope recall of at least R (0..1) on the "
                    + "validation queries, instead of the best mean of the two; needs queries labelled none, and writes one global "
                    + "kNN threshold.")
    Double minOosRecall;

    @Option(names = "--no-thresholds", description = "Write only ROUTES.fit.json; leave the routes file's score_threshold values alone.")
    boolean noThresholds;

    @Option(names = "--dry-run", description = "Fit and report, write nothing.")
    boolean dryRun;

    @Override
    protected int doCall() throws IOException {
        if (!IndexFactory.isLocal(root.index)) {
            throw SrouterException.usage("fit learns from a routes file (-r), not from --index " + root.index
                    + "; fit the routes file, then push it");
        }
        if (topK < 1) {
            throw SrouterException.usage("--top-k must be at least 1, got " + topK);
        }
        dev.srouter.core.Aggregation agg = dev.srouter.core.Aggregation.parse(aggregation);
        Fitter.Thresholds thresholds = switch (thresholdsKind) {
            case "auto" -> Fitter.Thresholds.auto;
            case "global" -> Fitter.Thresholds.global;
            case "per-route" -> Fitter.Thresholds.per_route;
            default -> throw SrouterException.usage("--thresholds takes auto, global or per-route, not '" + thresholdsKind + "'");
        };
        Fitter.Objective objective = Fitter.Objective.BALANCED;
        if (minOosRecall != null) {
            if (!(minOosRecall >= 0 && minOosRecall <= 1)) {
                throw SrouterException.usage("--min-oos-recall is a recall between 0 and 1, not " + minOosRecall);
            }
            if (thresholds == Fitter.Thresholds.per_route) {
                throw SrouterException.usage("--thresholds per-route is fitted for the best mean of accuracy and recall; "
                        + "with --min-oos-recall fit writes one global kNN threshold (leave out --thresholds, or use global)");
            }
            objective = new Fitter.Objective(minOosRecall);
        }
        long t0 = System.nanoTime();
        RouteSet routes = RoutesFile.read(root.routes, this::warn);
        if (routes.routes().size() < 2) {
            throw SrouterException.usage("fit needs at least two routes to tell apart; " + root.routes + " has " + routes.routes().size());
        }
        List<LabelledData.Example> examples = new ArrayList<>();
        List<FittedModel.DataFile> files = new ArrayList<>();
        for (Path file : data) {
            List<LabelledData.Example> read = LabelledData.read(file, LabelledData.formatOf(file, dataFormat));
            examples.addAll(read);
            files.add(new FittedModel.DataFile(file.toString(), sha256(file), read.size(),
                    (int) read.stream().filter(e -> e.route() == null).count()));
        }
        LabelledData.checkRoutes(examples, routes.routeNames(), root.routes.toString());
        int none = (int) examples.stream().filter(e -> e.route() == null).count();
        if (none == examples.size()) {
            throw SrouterException.usage("the validation data has no query labelled with a route; fit needs some to learn from");
        }
        if (none == 0 && minOosRecall != null) {
            throw SrouterException.usage("--min-oos-recall needs validation queries labelled none (out of scope); "
                    + "the --data files have none");
        }
        if (none == 0 && thresholds == Fitter.Thresholds.per_route) {
            throw SrouterException.usage("--thresholds per-route needs validation queries labelled none (out of scope) to fit "
                    + "them; the --data files have none");
        }

        Encoder base = RoutingSetup.createEncoder(root, routes);
        if (none == 0) {
            warn(String.format(Locale.ROOT, "no validation query is labelled none (out of scope), so no threshold can be fitted: both "
                    + "decisions keep %.2f on the best similarity and %s is left as it is; label some queries none to fit one",
                    base.defaultThreshold(), root.routes));
        }
        try (Encoder encoder = RoutingSetup.cached(root, base, this::warn)) {
            Encoder progress = new dev.srouter.encoder.ProgressEncoder(encoder, TerminalProgress.forContext(root.ctx, root.quiet));
            List<Utterance> utterances = routes.utterances();
            List<String> routeOf = utterances.stream().map(Utterance::route).toList();
            List<String> texts = utterances.stream().map(Utterance::text).toList();
            List<float[]> vectors = progress.encode(texts, Encoder.Input.DOCUMENT);
            Map<String, List<float[]>> byRoute = new LinkedHashMap<>();
            for (int i = 0; i < texts.size(); i++) {
                byRoute.computeIfAbsent(routeOf.get(i), k -> new ArrayList<>()).add(vectors.get(i));
            }
            LocalIndex index = new LocalIndex(vectors.get(0).length, routeOf, texts, vectors);
            List<float[]> queryVectors = progress.encode(examples.stream().map(LabelledData.Example::text).toList(), Encoder.Input.QUERY);
            List<List<Hit>> hits = index.queryBatch(queryVectors, topK, Set.of());
            List<Fitter.Query> validation = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                validation.add(new Fitter.Query(examples.get(i).route(), queryVectors.get(i), hits.get(i)));
            }
            long t1 = System.nanoTime();
            Fitter.Result result = Fitter.fit(routes, byRoute, validation, agg, thresholds, objective, base.defaultThreshold(), base.name(),
                    files);
            double fitSeconds = (System.nanoTime() - t1) / 1e9;
            debug(String.format(Locale.ROOT, "embedded %d utterances and %d queries in %.1f s; fitted in %.1f s (%d L-BFGS iterations)",
                    texts.size(), examples.size(), (t1 - t0) / 1e9, fitSeconds, result.iterations()));

            Path fitFile = FittedModel.pathFor(root.routes);
            RouteSet withThresholds = withThresholds(routes, result);
            if (!dryRun) {
                AtomicFiles.write(fitFile, result.model().toJson());
                if (writesThresholds(none) && !withThresholds.equals(routes)) {
                    RoutesFileEditor.write(root.routes, withThresholds);
                }
            }
            report(result, fitFile, fitSeconds, examples.size(), none, texts.size());
        }
        return ExitCode.OK;
    }

    /** Whether the routes file gets the kNN thresholds: not with --no-thresholds, and not when none could be fitted. */
    private boolean writesThresholds(int none) {
        return !noThresholds && none > 0;
    }

    /** The routes with the fitted kNN thresholds as their score_threshold. */
    private static RouteSet withThresholds(RouteSet routes, Fitter.Result result) {
        List<Route> out = new ArrayList<>();
        for (Route r : routes.routes()) {
            double t = result.perRouteThresholds().getOrDefault(r.name(), result.globalThreshold());
            out.add(r.withScoreThreshold(t));
        }
        return new RouteSet(routes.encoderType(), routes.encoderName(), out);
    }

    private void report(Fitter.Result result, Path fitFile, double seconds, int queries, int none, int utterances) {
        FittedModel m = result.model();
        boolean perRoute = !result.perRouteThresholds().isEmpty();
        String why = none == 0 ? "not fitted without queries labelled none" : minOosRecall != null ? "not fitted with --min-oos-recall"
                : result.perRouteWon() ? "they beat one global threshold on held-out queries" : "they did not beat one global threshold on held-out queries";
        String chosenFor = minOosRecall != null
                ? String.format(Locale.ROOT, "the most in-scope accuracy at out-of-scope recall >= %.4f", minOosRecall)
                : "the best mean of in-scope accuracy and out-of-scope recall";
        String written = dryRun ? "dry run: nothing written" : !writesThresholds(none) ? "wrote " + fitFile
                : "wrote " + fitFile + " and the score_threshold of every route in " + root.routes;
        if (root.output == OutputFormat.json) {
            Json j = new Json().begin()
                    .field("routes_file", root.routes.toString())
                    .field("fit_file", fitFile.toString())
                    .field("written", !dryRun)
                    .field("encoder", m.encoder())
                    .field("utterances", utterances)
                    .field("queries", queries)
                    .field("out_of_scope_queries", none)
                    .field("min_oos_recall", minOosRecall)
                    .field("thresholds_fitted", none > 0)
                    .field("alpha", m.alpha())
                    .field("score_threshold", m.scoreThreshold())
                    .field("min_confidence", m.minConfidence())
                    .field("fitted_accuracy", m.validation().inScopeAccuracy())
                    .field("fitted_oos_recall", none == 0 ? null : m.validation().outOfScopeRecall())
                    .field("knn_threshold", result.globalThreshold())
                    .field("knn_per_route", perRoute)
                    .field("knn_per_route_won", result.perRouteWon())
                    .field("knn_accuracy", result.knnValidation().inScopeAccuracy())
                    .field("knn_oos_recall", none == 0 ? null : result.knnValidation().outOfScopeRecall())
                    .field("seconds", Math.round(seconds * 10) / 10.0);
            out().println(j.end());
        } else {
            out().printf(Locale.ROOT, "fitted on %d utterances of %d routes and %d validation queries (%d labelled none), encoder %s, in %.1f s%n",
                    utterances, m.routes().size(), queries, none, m.encoder(), seconds);
            out().printf(Locale.ROOT, "fitted decision: a route passes at confidence %.4f (score = %.1f x probability + %.1f x best similarity >= %.4f)%n",
                    m.minConfidence(), m.alpha(), 1 - m.alpha(), m.scoreThreshold());
            out().println(none == 0 ? String.format(Locale.ROOT, "thresholds not fitted (no query labelled none): kept at %.2f",
                    result.globalThreshold()) : "thresholds chosen for " + chosenFor + " on validation");
            out().printf(Locale.ROOT, "  on validation: in-scope accuracy %.4f, out-of-scope recall %s (before the head also learned from it)%n",
                    m.validation().inScopeAccuracy(), none == 0 ? "n/a" : String.format(Locale.ROOT, "%.4f", m.validation().outOfScopeRecall()));
            out().printf(Locale.ROOT, "kNN decision: %s%n", perRoute ? "per-route thresholds (" + why + ")"
                    : String.format(Locale.ROOT, "one global threshold %.2f (per-route ones: %s)", result.globalThreshold(), why));
            out().printf(Locale.ROOT, "  on validation: in-scope accuracy %.4f, out-of-scope recall %s%n", result.knnValidation().inScopeAccuracy(),
                    none == 0 ? "n/a" : String.format(Locale.ROOT, "%.4f", result.knnValidation().outOfScopeRecall()));
            out().println(written);
        }
        out().flush();
    }

    private static String sha256(Path file) {
        try {
            return dev.srouter.core.ContentHash.sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SrouterException(ExitCode.FAILURE, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
