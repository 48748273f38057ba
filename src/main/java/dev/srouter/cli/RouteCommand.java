package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteDecision;
import dev.srouter.core.SrouterException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        showEndOfOptionsDelimiterInUsageHelp = true,
        description = {
            "Route each TEXT to its closest route, or to none ('-') when no route passes its threshold.",
            "",
            "With '-', read one text per line from standard input and print one decision per line, in order. "
                    + "With no TEXT on a terminal, start the interactive REPL (see 'srouter repl'). "
                    + "A TEXT that starts with '-' comes after --, which ends the options.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter route -r routes-example.yaml \"isn't politics the best thing ever\"",
            "  srouter route -r routes.yaml -o json --explain \"how's the weather today?\"",
            "  srouter route -r routes.yaml --limit 3 --filter politics,chitchat \"a joke\"",
            "  srouter route -r routes.yaml -o tsv - < questions.txt > decisions.tsv",
            "  srouter route -- \"-hello there\"         # a TEXT that starts with '-'",
            "",
            "Output: text prints 'ROUTE SCORE (best similarity S >= threshold T)' or '-'; json prints one object per line with "
                    + "\"text\", \"route\", \"score\", \"similarity\" and \"threshold\" (plus \"candidates\" with --explain or --limit, "
                    + "\"routes\" with --limit, \"nearest\" with --explain; docs/json-output.md); tsv prints TEXT<TAB>ROUTE<TAB>SCORE with "
                    + "'-' for no route (not with --limit above 1 or --explain).",
            "",
            "A route's score is the aggregate of its similarities among the top-k nearest utterances; it "
                    + "passes when its best similarity reaches its score_threshold (else --threshold).",
        })
final class RouteCommand extends BaseCommand {
    /** Lines read ahead from stdin and encoded together; bounds memory whatever the input size. */
    static final int STDIN_CHUNK = 256;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to route, or '-' to read lines from standard input.")
    List<String> texts = new ArrayList<>();

    @Mixin
    RoutingOptions routing;

    @Override
    java.util.Set<OutputFormat> outputFormats() {
        return java.util.EnumSet.allOf(OutputFormat.class);
    }

    @Override
    protected int doCall() throws Exception {
        boolean stdin = texts.size() == 1 && texts.get(0).equals("-");
        if (texts.isEmpty()) {
            if (ctx().interactive()) {
                return ReplCommand.runRepl(this, routing);
            }
            if (root.output == OutputFormat.json) {
                throw SrouterException.usage("no text to route: give TEXT arguments, '-' to read standard input, or run on a terminal for the REPL");
            }
            err().println("srouter: no text to route: give TEXT arguments, '-' to read standard input, or run on a terminal for the REPL");
            err().println("Try '" + spec.qualifiedName() + " --help' for more information.");
            return ExitCode.USAGE;
        }
        if (!stdin && texts.contains("-")) {
            throw SrouterException.usage("'-' (read standard input) cannot be mixed with TEXT arguments");
        }
        if (root.output == OutputFormat.tsv && routing.explain) {
            throw SrouterException.usage("--explain needs -o text or -o json; tsv has one decision per line");
        }
        if (root.output == OutputFormat.tsv && routing.limit > 1) {
            throw SrouterException.usage("--limit " + routing.limit + " needs -o text or -o json; tsv has one route per line");
        }
        try (RoutingSetup setup = RoutingSetup.open(root, routing, !stdin, this::debug, this::warn)) {
            DecisionRenderer renderer = new DecisionRenderer(root.output, routing.explain, routing.limit > 1, ansi());
            double threshold = setup.engine.router().defaultThreshold();
            PrintWriter out = out();
            if (!stdin) {
                for (RouteDecision d : setup.engine.route(texts)) {
                    renderer.print(out, d, threshold);
                }
                out.flush();
                return ExitCode.OK;
            }
            return streamStdin(setup, renderer, threshold, out);
        }
    }

    /**
     * Reads up to {@link #STDIN_CHUNK} lines at a time (fewer when no more are ready, so that an
     * interactive producer gets answers line by line) and prints the decisions in input order,
     * flushing after each chunk. The next chunk is read and embedded while the current one is
     * searched and printed, so the cores never wait for each other. A closed stdout ends the loop
     * quietly. At most two chunks are in memory, whatever the input size.
     */
    private int streamStdin(RoutingSetup setup, DecisionRenderer renderer, double threshold, PrintWriter out) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(ctx().in(), StandardCharsets.UTF_8), 1 << 16);
        ExecutorService ahead = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "srouter-read-ahead");
            t.setDaemon(true);
            return t;
        });
        long count = 0;
        long t0 = System.nanoTime();
        try (dev.srouter.core.Progress.Task routed = TerminalProgress.besideResults(ctx(), root.quiet).start("routing", -1)) {
            Future<Chunk> next = ahead.submit(() -> Chunk.read(reader, setup));
            while (true) {
                Chunk chunk = next.get();
                if (chunk.lines.isEmpty()) {
                    break;
                }
                next = ahead.submit(() -> Chunk.read(reader, setup));
                List<RouteDecision> decisions = setup.engine.decide(chunk.routable, chunk.vectors);
                int i = 0;
                for (String line : chunk.lines) {
                    RouteDecision d = line.isBlank() ? new RouteDecision(line, List.of(), List.of(), List.of()) : decisions.get(i++);
                    renderer.print(out, d, threshold);
                }
                out.flush();
                if (out.checkError()) {
                    debug("standard output closed; stopping");
                    return ExitCode.OK;
                }
                count += chunk.lines.size();
                routed.advance(chunk.lines.size());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            ahead.shutdownNow();
        }
        debug(String.format(java.util.Locale.ROOT, "routed %d lines in %.0f ms", count, (System.nanoTime() - t0) / 1e6));
        return ExitCode.OK;
    }

    /** Lines read from stdin, and the vectors of those that are not blank (blank lines get no route). */
    private record Chunk(List<String> lines, List<String> routable, List<float[]> vectors) {
        static Chunk read(BufferedReader reader, RoutingSetup setup) throws IOException {
            List<String> lines = new ArrayList<>(STDIN_CHUNK);
            String line = reader.readLine();
            if (line != null) {
                lines.add(line);
                while (lines.size() < STDIN_CHUNK && reader.ready() && (line = reader.readLine()) != null) {
                    lines.add(line);
                }
            }
            List<String> routable = lines.stream().filter(l -> !l.isBlank()).toList();
            return new Chunk(lines, routable, setup.engine.encode(routable));
        }
    }
}
