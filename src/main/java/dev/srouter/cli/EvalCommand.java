package dev.srouter.cli;

import dev.srouter.core.AtomicFiles;
import dev.srouter.core.Candidate;
import dev.srouter.core.EvalReport;
import dev.srouter.core.ExitCode;
import dev.srouter.core.LabelledData;
import dev.srouter.core.Progress;
import dev.srouter.core.RouteDecision;
import dev.srouter.core.SrouterException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        modelTransformer = EvalCommand.OneRoutePerQuery.class,
        description = {
            "Route labelled queries and report how often the decision is right: in-scope accuracy, out-of-scope recall, "
                    + "per-route precision, recall and F1, the most confused pairs, and the calibration error when the "
                    + "decision carries a confidence.",
            "",
            "Each query gets exactly the decision 'srouter route' gives it (the same routing options), and its best "
                    + "route is the answer. A query labelled with a route is right when it gets that route; one labelled "
                    + "none is right when it gets no route.",
            "",
            "Data (--data, repeatable; the files are read in order): JSONL lines {\"text\": \"...\", \"route\": \"name\"}, "
                    + "or \"route\": null for a query no route should match; or TSV lines TEXT<TAB>ROUTE with '-' for none "
                    + "(further columns are ignored, so 'srouter route -o tsv' output reads as data). The file name's extension "
                    + "(jsonl or ndjson, tsv) gives the format unless --data-format says. Blank lines are skipped; a bad line or a "
                    + "label naming a route the routes file does not hold stops with FILE:LINE and exit 65.",
            "",
            "Exit 0, or 2 when a figure is below --min-accuracy or --min-oos-recall (one line on stderr per gate).",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter eval -r routes.yaml --data labelled.jsonl",
            "  srouter eval -r routes.yaml --data a.jsonl --data b.tsv --threshold 0.5",
            "  srouter eval -r routes.yaml --data labelled.tsv --min-accuracy 0.9 \\",
            "      --min-oos-recall 0.8 --misses misses.tsv   # a CI gate: exit 2 below",
            "  srouter eval -r routes.yaml --data labelled.jsonl -o json | jq .accuracy",
            "",
            "Output: text prints the figures, a per-route table and the most confused pairs; json prints one document "
                    + "with \"accuracy\", \"oos_recall\", \"routes\", \"confused\", \"ece\", \"gates\" and more "
                    + "(docs/json-output.md). --misses writes one line per query whose decision differs from its label: "
                    + "TEXT<TAB>EXPECTED<TAB>GOT<TAB>SIMILARITY, '-' for none (itself labelled data for --data).",
        })
final class EvalCommand extends BaseCommand {
    /** Queries embedded and decided together, between two steps of the progress bar. */
    static final int CHUNK = 256;
    /** How many confused pairs the report lists. */
    static final int CONFUSED = 10;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "Labelled queries, JSONL or TSV (repeatable; the files are concatenated).")
    List<Path> data = new ArrayList<>();

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "Format of every --data file: ${COMPLETION-CANDIDATES}. Default: from the file name's extension (jsonl or ndjson, tsv).")
    LabelledData.Format dataFormat;

    @Option(names = "--min-accuracy", paramLabel = "X",
            description = "Exit 2 when the in-scope accuracy is below X, in [0,1].")
    Double minAccuracy;

    @Option(names = "--min-oos-recall", paramLabel = "Y",
            description = "Exit 2 when the out-of-scope recall is below Y, in [0,1]; needs queries labelled none.")
    Double minOosRecall;

    @Option(names = "--misses", paramLabel = "FILE",
            description = "Write the queries whose decision differs from their label to FILE (TSV), replacing it atomically.")
    Path misses;

    @Mixin
    RoutingOptions routing;

    /**
     * eval judges one route per query, the best: {@code --limit} and {@code --explain} of the shared routing
     * options have no meaning here, so they are not options of this command (nor in its help or completion).
     */
    static final class OneRoutePerQuery implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (String name : List.of("--limit", "--explain")) {
                OptionSpec option = spec.findOption(name);
                if (option != null) {
                    spec.remove(option);
                }
            }
            return spec;
        }
    }

    /**
     * A gate and how the run measured up to it.
     *
     * @param metric the figure, for people; {@code key} its name in the JSON report
     */
    record Gate(String option, String metric, String key, double value, double bound) {
        boolean passed() {
            return value >= bound;
        }
    }

    /** A query whose decision differs from its label, for --misses. */
    record Miss(String text, String expected, String got, Double similarity) {}

    @Override
    Set<OutputFormat> outputFormats() {
        return EnumSet.of(OutputFormat.text, OutputFormat.json);
    }

    @Override
    protected int doCall() {
        checkBound("--min-accuracy", minAccuracy);
        checkBound("--min-oos-recall", minOosRecall);
        List<LabelledData.Example> examples = new ArrayList<>();
        List<EvalRenderer.Source> sources = new ArrayList<>();
        for (Path file : data) {
            LabelledData.Format format = LabelledData.formatOf(file, dataFormat);
            List<LabelledData.Example> read = LabelledData.read(file, format);
            examples.addAll(read);
            sources.add(new EvalRenderer.Source(file.toString(), format, read.size()));
        }
        if (minAccuracy != null && examples.stream().noneMatch(e -> e.route() != null)) {
            throw SrouterException.usage("--min-accuracy needs queries labelled with a route; every query in the data is labelled none");
        }
        if (minOosRecall != null && examples.stream().allMatch(e -> e.route() != null)) {
            throw SrouterException.usage("--min-oos-recall needs queries labelled none (\"route\": null in JSONL, '-' in TSV); "
                    + "the data has none");
        }
        // One route per query: the decision's best route is the answer.
        routing.limit = 1;
        routing.explain = false;
        try (RoutingSetup setup = RoutingSetup.open(root, routing, false, this::debug, this::warn)) {
            String where = IndexFactory.isLocal(root.index) ? root.routes.toString() : root.index;
            LabelledData.checkRoutes(examples, setup.routes.routeNames(), where);

            List<EvalReport.Outcome> outcomes = new ArrayList<>(examples.size());
            List<Miss> missed = new ArrayList<>();
            Map<String, Integer> decidedBy = new TreeMap<>();
            long t0 = System.nanoTime();
            try (Progress.Task task = TerminalProgress.forContext(ctx(), root.quiet).start("evaluating", examples.size())) {
                for (int from = 0; from < examples.size(); from += CHUNK) {
                    List<LabelledData.Example> chunk = examples.subList(from, Math.min(examples.size(), from + CHUNK));
                    List<RouteDecision> decisions = setup.engine.route(chunk.stream().map(LabelledData.Example::text).toList());
                    for (int i = 0; i < chunk.size(); i++) {
                        LabelledData.Example e = chunk.get(i);
                        RouteDecision d = decisions.get(i);
                        String got = d.best().map(Candidate::route).orElse(null);
                        EvalReport.Outcome o = new EvalReport.Outcome(e.route(), got, d.confidence());
                        outcomes.add(o);
                        decidedBy.merge(d.decidedBy(), 1, Integer::sum);
                        if (!o.correct()) {
                            missed.add(new Miss(e.text(), e.route(), got, similarity(d)));
                        }
                    }
                    task.advance(chunk.size());
                }
            }
            debug(String.format(Locale.ROOT, "routed %d labelled queries in %.0f ms", examples.size(), (System.nanoTime() - t0) / 1e6));

            EvalReport report = EvalReport.of(outcomes, setup.routes.routeNames());
            List<Gate> gates = new ArrayList<>();
            if (minAccuracy != null) {
                gates.add(new Gate("--min-accuracy", "in-scope accuracy", "accuracy", report.accuracy().getAsDouble(), minAccuracy));
            }
            if (minOosRecall != null) {
                gates.add(new Gate("--min-oos-recall", "out-of-scope recall", "oos_recall", report.outOfScopeRecall().getAsDouble(), minOosRecall));
            }
            if (misses != null) {
                AtomicFiles.write(misses, missesTsv(missed));
            }
            EvalRenderer.Run run = new EvalRenderer.Run(sources, decidedBy,
                    setup.engine.fitted().map(f -> f.model().minConfidence()).orElse(setup.engine.router().defaultThreshold()), routing.topK,
                    routing.aggregationMethod().toString(), gates, misses == null ? null : misses.toString());
            if (root.output == OutputFormat.json) {
                out().println(EvalRenderer.json(report, run, CONFUSED));
            } else {
                EvalRenderer.text(out(), report, run, CONFUSED, TerminalWidth.of(ctx()));
            }
            out().flush();
            if (misses != null) {
                info("wrote " + missed.size() + (missed.size() == 1 ? " miss" : " misses") + " to " + misses);
            }
            boolean passed = true;
            for (Gate g : gates) {
                if (!g.passed()) {
                    passed = false;
                    // Not behind -q: this line says why the exit code is 2.
                    err().println("srouter: " + g.metric() + " " + EvalRenderer.figure(g.value()) + " is below " + g.option() + " "
                            + EvalRenderer.figure(g.bound()));
                }
            }
            err().flush();
            return passed ? ExitCode.OK : ExitCode.DIFFERENT;
        }
    }

    private static void checkBound(String option, Double bound) {
        if (bound != null && (bound.isNaN() || bound < 0 || bound > 1)) {
            throw SrouterException.usage(option + " must be in [0,1], got " + bound);
        }
    }

    /** The best similarity of the route the query got, else of its closest route (which failed its threshold); null when no route was near. */
    private static Double similarity(RouteDecision d) {
        if (d.best().isPresent()) {
            return d.best().get().bestSimilarity();
        }
        return d.candidates().isEmpty() ? null : d.candidates().get(0).bestSimilarity();
    }

    /** TEXT, EXPECTED, GOT, SIMILARITY a line, '-' for none: a TSV that reads as labelled data again. */
    static String missesTsv(List<Miss> missed) {
        StringBuilder sb = new StringBuilder();
        for (Miss m : missed) {
            sb.append(m.text().replaceAll("[\\t\\r\\n]", " ")).append('\t')
                    .append(m.expected() == null ? LabelledData.NONE : m.expected()).append('\t')
                    .append(m.got() == null ? LabelledData.NONE : m.got()).append('\t')
                    .append(m.similarity() == null ? "-" : DecisionRenderer.score(m.similarity())).append('\n');
        }
        return sb.toString();
    }
}
