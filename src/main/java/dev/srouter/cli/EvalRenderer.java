package dev.srouter.cli;

import dev.srouter.core.EvalReport;
import dev.srouter.core.LabelledData;
import dev.srouter.core.RouteDecision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The report of {@code srouter eval}: figures, a per-route table and the most confused pairs for people, in the
 * width of the terminal, or one JSON document (docs/json-output.md).
 */
final class EvalRenderer {
    private EvalRenderer() {}

    /** A --data file and how many labelled queries it held. */
    record Source(String file, LabelledData.Format format, int queries) {}

    /** What the figures are of: the data, the decision and its settings, the gates, the misses file. */
    record Run(List<Source> sources, Map<String, Integer> decidedBy, double threshold, int topK, String aggregation,
            List<EvalCommand.Gate> gates, String missesFile) {
        /** The decision that made every call, or {@code mixed}. */
        String decision() {
            return decidedBy.size() == 1 ? decidedBy.keySet().iterator().next() : decidedBy.isEmpty() ? RouteDecision.KNN : "mixed";
        }

        boolean passed() {
            return gates.stream().allMatch(EvalCommand.Gate::passed);
        }
    }

    static String figure(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String figure(OptionalDouble value) {
        return value.isPresent() ? figure(value.getAsDouble()) : "n/a";
    }

    private static String figure(Double value) {
        return value == null ? "n/a" : figure(value.doubleValue());
    }

    private static String route(String name) {
        return name == null ? LabelledData.NONE : name;
    }

    private static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static void text(PrintWriter out, EvalReport r, Run run, int confusedLimit, int width) {
        List<String> files = new ArrayList<>();
        for (Source s : run.sources()) {
            files.add(run.sources().size() == 1 ? s.file() : s.file() + " (" + s.queries() + ")");
        }
        String head = plural(r.queries(), "labelled query", "labelled queries") + " from " + String.join(", ", files) + "; decision "
                + run.decision() + " (" + (run.decision().equals(dev.srouter.core.RouteDecision.FITTED) ? "confidence threshold " : "threshold ")
                + DecisionRenderer.score(run.threshold()) + ", top-k " + run.topK() + ", "
                + run.aggregation() + ")";
        TextTable.wrap(head, width).forEach(out::println);
        out.println();

        TextTable summary = new TextTable(List.of("FIGURE", "VALUE", "DETAIL"));
        String inDetail = r.inScope() == 0 ? "no query is labelled with a route"
                : r.inScopeCorrect() + " of " + plural(r.inScope(), "query", "queries") + " labelled with a route got it; "
                        + r.inScopeWrongRoute() + " got another route, " + r.inScopeNoRoute() + " got none";
        summary.add(row("in-scope accuracy", figure(r.accuracy()), inDetail));
        String oosDetail = r.outOfScope() == 0 ? "no query is labelled none"
                : r.outOfScopeCorrect() + " of " + plural(r.outOfScope(), "query", "queries") + " labelled none got no route; "
                        + r.outOfScopeRouted() + " got a route";
        summary.add(row("out-of-scope recall", figure(r.outOfScopeRecall()), oosDetail));
        long withSupport = r.routes().stream().filter(s -> s.support() > 0).count();
        int total = r.routes().size();
        summary.add(row("macro F1", figure(r.macroF1()), withSupport == total ? "mean F1 over the " + plural(total, "route", "routes")
                : "mean F1 over the " + withSupport + " routes that have labelled queries (of " + total + ")"));
        String eceDetail = r.expectedCalibrationError().isPresent()
                ? "over " + plural(r.calibrated(), "decision", "decisions") + " with a route and a confidence, " + EvalReport.BINS + " bins"
                : "the " + run.decision() + " decision carries no calibrated confidence";
        summary.add(row("calibration error (ECE)", figure(r.expectedCalibrationError()), eceDetail));
        for (EvalCommand.Gate g : run.gates()) {
            summary.add(row(g.option() + " " + figure(g.bound()), g.passed() ? "passed" : "FAILED",
                    g.metric() + " " + figure(g.value()) + (g.passed() ? " >= " : " < ") + figure(g.bound())));
        }
        summary.render(width).forEach(out::println);
        out.println();

        // sklearn's classification report; the counts behind precision (routed, right) are in the JSON.
        TextTable routes = new TextTable(List.of("ROUTE", "SUPPORT", "PRECISION", "RECALL", "F1"));
        for (EvalReport.RouteStats s : r.routes()) {
            routes.add(row(s.route(), String.valueOf(s.support()), figure(s.precision()), figure(s.recall()), figure(s.f1())));
        }
        routes.render(width).forEach(out::println);
        out.println();

        List<EvalReport.Confusion> confused = r.confusions(confusedLimit);
        if (confused.isEmpty()) {
            out.println("no confused pairs: every query got its label");
            return;
        }
        out.println("most confused (expected -> got, '-' for none):");
        TextTable pairs = new TextTable(List.of("EXPECTED", "GOT", "QUERIES"));
        for (EvalReport.Confusion c : confused) {
            pairs.add(row(route(c.expected()), route(c.got()), String.valueOf(c.count())));
        }
        pairs.render(width).forEach(out::println);
        if (r.confusions().size() > confused.size()) {
            out.println("(" + plural(r.confusions().size() - confused.size(), "more pair", "more pairs") + ")");
        }
    }

    private static List<TextTable.Cell> row(String... cells) {
        List<TextTable.Cell> out = new ArrayList<>();
        for (String c : cells) {
            out.add(TextTable.Cell.plain(c));
        }
        return out;
    }

    private static Double value(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : null;
    }

    static String json(EvalReport r, Run run, int confusedLimit) {
        Json j = new Json().begin().field("queries", r.queries());
        j.beginArray("data");
        for (Source s : run.sources()) {
            j.begin().field("file", s.file()).field("format", s.format().name()).field("queries", s.queries()).end();
        }
        j.endArray();
        j.field("decision", run.decision());
        j.beginArray("decided_by");
        run.decidedBy().forEach((decision, n) -> j.begin().field("decision", decision).field("queries", n).end());
        j.endArray();
        j.field("threshold", run.threshold()).field("top_k", run.topK()).field("aggregation", run.aggregation());
        j.field("accuracy", value(r.accuracy())).field("in_scope", r.inScope()).field("in_scope_correct", r.inScopeCorrect())
                .field("in_scope_wrong_route", r.inScopeWrongRoute()).field("in_scope_no_route", r.inScopeNoRoute());
        j.field("oos_recall", value(r.outOfScopeRecall())).field("out_of_scope", r.outOfScope())
                .field("out_of_scope_correct", r.outOfScopeCorrect()).field("out_of_scope_routed", r.outOfScopeRouted());
        j.field("macro_f1", value(r.macroF1())).field("misses", r.misses());
        j.field("ece", value(r.expectedCalibrationError())).field("calibrated", r.calibrated());
        j.beginArray("calibration_bins");
        for (EvalReport.Bin b : r.bins()) {
            j.begin().field("from", b.from()).field("to", b.to()).field("count", b.count()).field("confidence", b.confidence())
                    .field("accuracy", b.accuracy()).end();
        }
        j.endArray();
        j.beginArray("routes");
        for (EvalReport.RouteStats s : r.routes()) {
            j.begin().field("route", s.route()).field("support", s.support()).field("predicted", s.predicted()).field("correct", s.correct())
                    .field("precision", s.precision()).field("recall", s.recall()).field("f1", s.f1()).end();
        }
        j.endArray();
        j.beginArray("confused");
        for (EvalReport.Confusion c : r.confusions(confusedLimit)) {
            j.begin().field("expected", c.expected()).field("got", c.got()).field("count", c.count()).end();
        }
        j.endArray();
        j.beginArray("gates");
        for (EvalCommand.Gate g : run.gates()) {
            j.begin().field("gate", g.option()).field("metric", g.key())
                    .field("value", g.value()).field("bound", g.bound()).field("passed", g.passed()).end();
        }
        j.endArray();
        j.field("passed", run.passed()).field("misses_file", run.missesFile());
        return j.end().toString();
    }
}
