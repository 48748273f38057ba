package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteLint;
import dev.srouter.core.RouteLint.Kind;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.SrouterException;
import dev.srouter.core.Utterance;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.ProgressEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "lint",
        mixinStandardHelpOptions = true,
        description = {
            "Check the routes file for utterances and routes that routing may confuse. Every utterance is embedded with "
                    + "the run's encoder (as 'route' picks it) and compared with every other.",
            "",
            "Findings: misplaced (an utterance whose nearest other utterance is in another route: a kNN router may send it "
                    + "there), duplicate (utterances of two routes with similarity >= --duplicate-similarity, or the same "
                    + "text), close-routes (two routes whose centroids, the mean of their utterance vectors, have similarity "
                    + ">= --route-similarity), few-utterances (a route with fewer than --min-utterances).",
            "",
            "Exit 2 when there are findings of a kind --fail-on names (default: all kinds), 0 otherwise, 65 for an invalid "
                    + "routes file. Each finding names the line of the routes file it is about.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter lint -r routes.yaml",
            "  srouter lint -o json | jq '.findings[] | select(.kind == \"duplicate\")'",
            "  srouter lint -r routes.yaml --fail-on duplicate,close-routes",
            "  srouter lint -r routes.yaml --fail-on none            # report only: exit 0",
            "  srouter lint -r routes.yaml --route-similarity 0.8 --min-utterances 10",
            "",
            "Output: text prints one table per kind and a summary line; json prints one document with \"findings\" (each with "
                    + "\"kind\", the routes and utterances it names and their \"line\"), \"counts\" per kind and \"failed\" "
                    + "(docs/json-output.md).",
            "",
            "The similarity defaults come from CLINC150's 150 intents (7,500 utterances) with the local encoder: each of the "
                    + "5 pairs of routes whose centroids reach 0.85 has validation queries that 'route' sends to the other route "
                    + "of the pair, and the 2 pairs of utterances at 0.95 or more differ by a word or two; the closest routes of "
                    + "routes-example.yaml are at 0.59. local:bge-small-en-v1.5 gives higher similarities: 0.94 and 0.97 flag "
                    + "about as many pairs with it (docs/benchmarks.md).",
        })
final class LintCommand extends BaseCommand {
    @Option(names = "--duplicate-similarity", paramLabel = "X",
            description = {"Utterances of two routes at least this similar (cosine, in [0,1]) are duplicates.",
                "Default: the encoder's (local 0.95, local:bge-small-en-v1.5 0.97, others 0.95)."})
    Double duplicateSimilarity;

    @Option(names = "--route-similarity", paramLabel = "X",
            description = {"Routes whose centroids are at least this similar (cosine, in [0,1]) are close.",
                "Default: the encoder's (local 0.85, local:bge-small-en-v1.5 0.94, others 0.85)."})
    Double routeSimilarity;

    @Option(names = "--min-utterances", paramLabel = "N", defaultValue = "5",
            description = "Routes with fewer utterances than this are reported (0: never). Default: ${DEFAULT-VALUE}.")
    int minUtterances;

    @Option(names = "--fail-on", paramLabel = "KIND", split = ",", defaultValue = "all", completionCandidates = FailOnValues.class,
            description = "Kinds of finding that make the exit code 2 (comma-separated): misplaced, duplicate, close-routes, "
                    + "few-utterances, all or none. Default: ${DEFAULT-VALUE}.")
    List<String> failOn = new ArrayList<>();

    /** {@code --fail-on}: the kinds, then {@code all} and {@code none}. */
    static final class FailOnValues implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Stream.concat(Arrays.stream(Kind.values()).map(Kind::id), Stream.of("all", "none")).iterator();
        }
    }

    @Override
    Set<OutputFormat> outputFormats() {
        return EnumSet.of(OutputFormat.text, OutputFormat.json);
    }

    @Override
    protected int doCall() {
        if (!IndexFactory.isLocal(root.index)) {
            throw SrouterException.usage("lint reads a routes file (-r), not --index " + root.index + "; to lint what the index holds, "
                    + "pull it into a file first: srouter pull -r indexed.yaml --index " + root.index + " --yes && srouter lint -r indexed.yaml");
        }
        similarity("--duplicate-similarity", duplicateSimilarity);
        similarity("--route-similarity", routeSimilarity);
        if (minUtterances < 0) {
            throw SrouterException.usage("--min-utterances must be at least 0, got " + minUtterances);
        }
        Set<Kind> failing = failingKinds(failOn);

        long t0 = System.nanoTime();
        RoutesFile.Located located = RoutesFile.readLocated(root.routes, this::warn);
        RouteSet routes = located.routes();
        List<Utterance> utterances = routes.utterances();
        List<float[]> vectors;
        String encoderName;
        Encoder base = RoutingSetup.createEncoder(root, routes);
        debug("encoder " + base.name() + " (dimension " + (base.dimension() < 0 ? "unknown until first call" : base.dimension()) + ")");
        RouteLint.Settings defaults = defaults(base);
        RouteLint.Settings settings = new RouteLint.Settings(
                duplicateSimilarity != null ? duplicateSimilarity : defaults.duplicateSimilarity(),
                routeSimilarity != null ? routeSimilarity : defaults.routeSimilarity(), minUtterances);
        Encoder encoder;
        try {
            encoder = RoutingSetup.cached(root, base, this::warn);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
        try (encoder) {
            encoderName = base.name();
            // A big routes file on a cold cache takes a while to embed: show it on a terminal.
            vectors = utterances.isEmpty() ? List.of()
                    : new ProgressEncoder(encoder, TerminalProgress.forContext(ctx(), root.quiet))
                            .encode(utterances.stream().map(Utterance::text).toList(), Encoder.Input.DOCUMENT);
        }
        long t1 = System.nanoTime();
        RouteLint.Report report;
        try {
            report = RouteLint.analyse(routes, vectors, settings);
        } catch (RouteLint.TooManyPairs e) {
            boolean duplicates = e.kind() == Kind.DUPLICATE;
            throw SrouterException.usage("more than " + RouteLint.MAX_PAIRS + (duplicates ? " pairs of utterances in two routes" : " pairs of routes")
                    + " are at least " + Json.number(e.threshold()) + " similar; raise " + (duplicates ? "--duplicate-similarity" : "--route-similarity"));
        }
        long t2 = System.nanoTime();
        debug(String.format(Locale.ROOT, "%d utterances read and embedded in %.0f ms, compared in %.0f ms", utterances.size(), (t1 - t0) / 1e6,
                (t2 - t1) / 1e6));

        boolean failed = report.findings().stream().anyMatch(f -> failing.contains(f.kind()));
        LintRenderer renderer = new LintRenderer(report, located, settings, failing, failOnText(failing), failed);
        if (root.output == OutputFormat.json) {
            out().println(renderer.json(root.routes.toString(), encoderName).toString());
        } else {
            renderer.text(out(), ansi(), TerminalWidth.of(ctx()));
        }
        out().flush();
        return failed ? ExitCode.DIFFERENT : ExitCode.OK;
    }

    /**
     * The thresholds for {@code encoder}, chosen on CLINC150's train split (README.md, "srouter lint"; docs/benchmarks.md): bge-small's
     * similarities run higher than MiniLM's, and these pick the same pairs with both. Other encoders get MiniLM's.
     */
    static RouteLint.Settings defaults(Encoder encoder) {
        boolean bge = encoder.type().equals("local") && encoder.model().startsWith("bge-small-en-v1.5");
        return new RouteLint.Settings(bge ? 0.97 : RouteLint.Settings.DEFAULT_DUPLICATE_SIMILARITY,
                bge ? 0.94 : RouteLint.Settings.DEFAULT_ROUTE_SIMILARITY, RouteLint.Settings.DEFAULT_MIN_UTTERANCES);
    }

    private static void similarity(String option, Double value) {
        if (value != null && !(value >= 0 && value <= 1)) {
            throw SrouterException.usage(option + " must be in [0,1], got " + value);
        }
    }

    /** The kinds {@code --fail-on} names: any of the kinds, {@code all}, or {@code none} alone. */
    static Set<Kind> failingKinds(List<String> values) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        boolean none = false;
        List<String> given = values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (given.isEmpty()) {
            throw SrouterException.usage("--fail-on needs a kind: " + valid());
        }
        for (String v : given) {
            if (v.equalsIgnoreCase("none")) {
                none = true;
            } else if (v.equalsIgnoreCase("all")) {
                kinds.addAll(EnumSet.allOf(Kind.class));
            } else {
                Kind k = Kind.byId(v);
                if (k == null) {
                    throw SrouterException.usage("--fail-on: unknown kind '" + v + "'; use " + valid());
                }
                kinds.add(k);
            }
        }
        if (none && given.size() > 1) {
            throw SrouterException.usage("--fail-on none cannot be combined with other kinds, got " + String.join(",", given));
        }
        return kinds;
    }

    private static String valid() {
        return Arrays.stream(Kind.values()).map(Kind::id).collect(Collectors.joining(", ")) + ", all or none";
    }

    /** How --fail-on reads back in the summary: {@code all}, {@code none} or the kinds. */
    private static String failOnText(Set<Kind> failing) {
        if (failing.isEmpty()) {
            return "none";
        }
        if (failing.size() == Kind.values().length) {
            return "all";
        }
        return failing.stream().map(Kind::id).collect(Collectors.joining(","));
    }
}
