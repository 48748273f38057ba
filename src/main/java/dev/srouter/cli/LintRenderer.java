package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.RouteLint;
import dev.srouter.core.RouteLint.CloseRoutes;
import dev.srouter.core.RouteLint.Duplicate;
import dev.srouter.core.RouteLint.FewUtterances;
import dev.srouter.core.RouteLint.Finding;
import dev.srouter.core.RouteLint.Kind;
import dev.srouter.core.RouteLint.Misplaced;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.Utterance;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;

/** What {@code srouter lint} found: one table per kind and a summary line for people, one JSON document for CI. */
final class LintRenderer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RouteLint.Report report;
    private final RoutesFile.Located located;
    private final RouteLint.Settings settings;
    private final Set<Kind> failing;
    private final String failOn;
    private final boolean failed;

    LintRenderer(RouteLint.Report report, RoutesFile.Located located, RouteLint.Settings settings, Set<Kind> failing, String failOn,
            boolean failed) {
        this.report = report;
        this.located = located;
        this.settings = settings;
        this.failing = failing;
        this.failOn = failOn;
        this.failed = failed;
    }

    // ------------------------------------------------------------------------------------------------- text

    void text(PrintWriter out, Ansi ansi, int width) {
        for (Kind kind : Kind.values()) {
            List<Finding> found = report.findings().stream().filter(f -> f.kind() == kind).toList();
            String heading = kind.id() + ": " + (found.isEmpty() ? "none (" + none(kind) + ")" : found.size() + " " + criterion(kind,
                    found.size() == 1) + (failing.contains(kind) ? "" : " (not failing)"));
            for (String line : TextTable.wrap(heading, width)) {
                out.println(found.isEmpty() ? line : ansi.string("@|bold " + line.replace("|@", "| @") + "|@"));
            }
            if (!found.isEmpty()) {
                table(kind, found).render(width).forEach(out::println);
            }
            out.println();
        }
        TextTable.wrap(summary(), width).forEach(out::println);
        String verdict = failed ? ansi.string("@|red,bold failed|@") : ansi.string("@|green passed|@");
        out.println(verdict + " (--fail-on " + failOn + "): exit " + (failed ? 2 : 0));
    }

    /** What a kind reports, with its threshold: "utterances whose nearest ..." (or the singular, for one). */
    private String criterion(Kind kind, boolean singular) {
        return switch (kind) {
            case MISPLACED -> (singular ? "utterance" : "utterances") + " whose nearest other utterance is in another route";
            case DUPLICATE -> (singular ? "pair" : "pairs") + " of utterances in two routes with similarity >= "
                    + threshold(settings.duplicateSimilarity()) + " or the same text";
            case CLOSE_ROUTES -> (singular ? "pair" : "pairs") + " of routes whose centroids have similarity >= "
                    + threshold(settings.routeSimilarity());
            case FEW_UTTERANCES -> (singular ? "route" : "routes") + " with fewer than " + settings.minUtterances() + " utterances";
        };
    }

    /** Why a kind found nothing. */
    private String none(Kind kind) {
        return switch (kind) {
            case MISPLACED -> "every utterance's nearest other utterance is in its own route";
            case DUPLICATE -> "no utterances in two routes with similarity >= " + threshold(settings.duplicateSimilarity())
                    + " or the same text";
            case CLOSE_ROUTES -> "no two routes whose centroids have similarity >= " + threshold(settings.routeSimilarity());
            case FEW_UTTERANCES -> "every route has at least " + settings.minUtterances() + " utterances";
        };
    }

    /** A threshold as given: 0.95, not 0.9500. */
    private static String threshold(double x) {
        return Json.number(x);
    }

    private TextTable table(Kind kind, List<Finding> found) {
        TextTable table = switch (kind) {
            case MISPLACED -> new TextTable(List.of("LINE", "ROUTE", "UTTERANCE", "NEAREST UTTERANCE (ROUTE, LINE)", "SIMILARITY"));
            case DUPLICATE -> new TextTable(List.of("LINE", "ROUTE", "UTTERANCE", "DUPLICATE (ROUTE, LINE)", "SIMILARITY"));
            case CLOSE_ROUTES -> new TextTable(List.of("LINE", "ROUTE", "CLOSE TO (LINE)", "SIMILARITY"));
            case FEW_UTTERANCES -> new TextTable(List.of("LINE", "ROUTE", "UTTERANCES"));
        };
        for (Finding f : found) {
            List<String> row;
            if (f instanceof Misplaced m) {
                row = List.of(line(m.utterance()), m.utterance().route(), m.utterance().text(), elsewhere(m.neighbour()),
                        similarity(m.similarity()));
            } else if (f instanceof Duplicate d) {
                row = List.of(line(d.first()), d.first().route(), d.first().text(), elsewhere(d.second()),
                        similarity(d.similarity()) + (d.identical() ? " (same text)" : ""));
            } else if (f instanceof CloseRoutes c) {
                row = List.of(line(c.first()), c.first(), c.second() + where(located.of(c.second())), similarity(c.similarity()));
            } else {
                FewUtterances few = (FewUtterances) f;
                row = List.of(line(few.route()), few.route(), String.valueOf(few.utterances()));
            }
            table.add(row.stream().map(TextTable.Cell::plain).toList());
        }
        return table;
    }

    private String line(Utterance u) {
        return located.of(u).map(p -> String.valueOf(p.line())).orElse("-");
    }

    private String line(String route) {
        return located.of(route).map(p -> String.valueOf(p.line())).orElse("-");
    }

    /** "hi, how are you? (greetings, line 60)". */
    private String elsewhere(Utterance u) {
        return u.text() + " (" + u.route() + located.of(u).map(p -> ", line " + p.line()).orElse("") + ")";
    }

    private static String where(Optional<RoutesFile.Position> p) {
        return p.map(x -> " (line " + x.line() + ")").orElse("");
    }

    private static String similarity(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }

    /** "4 findings in 6 routes, 36 utterances: misplaced 2, duplicate 0, close-routes 1, few-utterances 1". */
    String summary() {
        String counts = report.counts().entrySet().stream().map(e -> e.getKey().id() + " " + e.getValue()).collect(Collectors.joining(", "));
        int total = report.findings().size();
        String where = " in " + DiffRenderer.count(report.routes().size(), "route") + ", " + DiffRenderer.count(report.utterances(), "utterance");
        return total == 0 ? "no findings" + where : DiffRenderer.count(total, "finding") + where + ": " + counts;
    }

    // ------------------------------------------------------------------------------------------------- json

    /** The documented JSON document (docs/json-output.md, "lint"). */
    ObjectNode json(String file, String encoder) {
        ObjectNode root = JSON.createObjectNode();
        root.put("routes_file", file);
        root.put("encoder", encoder);
        root.put("routes", report.routes().size());
        root.put("utterances", report.utterances());
        ObjectNode s = root.putObject("settings");
        s.put("duplicate_similarity", settings.duplicateSimilarity());
        s.put("route_similarity", settings.routeSimilarity());
        s.put("min_utterances", settings.minUtterances());
        ArrayNode fail = s.putArray("fail_on");
        failing.forEach(k -> fail.add(k.id()));
        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode n = findings.addObject();
            n.put("kind", f.kind().id());
            if (f instanceof Misplaced m) {
                utterance(n, m.utterance());
                utterance(n.putObject("neighbour"), m.neighbour());
                n.put("similarity", number(m.similarity()));
            } else if (f instanceof Duplicate d) {
                utterance(n, d.first());
                utterance(n.putObject("other"), d.second());
                n.put("similarity", number(d.similarity()));
                n.put("identical", d.identical());
            } else if (f instanceof CloseRoutes c) {
                route(n, c.first());
                route(n.putObject("other"), c.second());
                n.put("similarity", number(c.similarity()));
            } else {
                FewUtterances few = (FewUtterances) f;
                route(n, few.route());
                n.put("utterances", few.utterances());
                n.put("minimum", few.minimum());
            }
        }
        ObjectNode counts = root.putObject("counts");
        report.counts().forEach((k, v) -> counts.put(k.id(), v));
        root.put("total", report.findings().size());
        root.put("failed", failed);
        return root;
    }

    private void utterance(ObjectNode n, Utterance u) {
        n.put("route", u.route());
        n.put("utterance", u.text());
        position(n, located.of(u));
    }

    private void route(ObjectNode n, String route) {
        n.put("route", route);
        position(n, located.of(route));
    }

    private static void position(ObjectNode n, Optional<RoutesFile.Position> p) {
        if (p.isPresent()) {
            n.put("line", p.get().line());
            n.put("column", p.get().column());
        } else {
            n.putNull("line");
            n.putNull("column");
        }
    }

    /** Six decimals, as every similarity in srouter's JSON. */
    private static BigDecimal number(double x) {
        return new BigDecimal(Json.number(x));
    }
}
