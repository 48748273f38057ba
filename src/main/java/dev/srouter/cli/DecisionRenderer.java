package dev.srouter.cli;

import dev.srouter.core.Candidate;
import dev.srouter.core.Hit;
import dev.srouter.core.RouteDecision;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Help.Ansi;

/**
 * Prints routing decisions: {@code text} for people (route, score, and the best similarity that passed the
 * threshold, or {@code -}), {@code json} one object per line (docs/json-output.md), {@code tsv}
 * {@code text<TAB>route<TAB>score}.
 */
final class DecisionRenderer {
    private final OutputFormat format;
    private final boolean explain;
    private final boolean many;
    private final Ansi ansi;

    /** @param many --limit above 1: show every passing route, not just the best */
    DecisionRenderer(OutputFormat format, boolean explain, boolean many, Ansi ansi) {
        this.format = format;
        this.explain = explain;
        this.many = many;
        this.ansi = ansi;
    }

    DecisionRenderer withExplain(boolean on) {
        return new DecisionRenderer(format, on, many, ansi);
    }

    boolean explain() {
        return explain;
    }

    void print(PrintWriter out, RouteDecision d, double globalThreshold) {
        switch (format) {
            case json -> out.println(json(d, globalThreshold));
            case tsv -> out.println(tsv(d));
            default -> text(out, d);
        }
    }

    private String json(RouteDecision d, double globalThreshold) {
        Optional<Candidate> best = d.best();
        Json j = new Json().begin()
                .field("text", d.text())
                .field("route", best.map(Candidate::route).orElse(null))
                .field("score", best.map(Candidate::score).orElse(null))
                .field("similarity", best.map(Candidate::bestSimilarity).orElse(null))
                .field("threshold", best.map(Candidate::threshold).orElse(fitted(d) && !d.candidates().isEmpty()
                        ? d.candidates().get(0).threshold() : globalThreshold))
                .field("confidence", d.confidence().isPresent() ? d.confidence().getAsDouble() : null)
                .field("decision", d.decidedBy());
        if (many) {
            j.beginArray("routes");
            for (Candidate c : d.routes()) {
                j.begin().field("route", c.route()).field("score", c.score()).field("similarity", c.bestSimilarity())
                        .field("threshold", c.threshold()).end();
            }
            j.endArray();
        }
        if (explain || many) {
            j.beginArray("candidates");
            for (Candidate c : d.candidates()) {
                j.begin().field("route", c.route()).field("score", c.score()).field("similarity", c.bestSimilarity())
                        .field("threshold", c.threshold()).field("passed", c.passed()).field("hits", c.hits()).end();
            }
            j.endArray();
        }
        if (explain) {
            j.beginArray("nearest");
            for (Hit h : d.nearest()) {
                j.begin().field("route", h.route()).field("utterance", h.utterance()).field("score", h.score()).end();
            }
            j.endArray();
        }
        return j.end().toString();
    }

    private static String tsv(RouteDecision d) {
        String text = d.text().replace('\t', ' ');
        // The fitted decision's number is its confidence; the kNN decision's, its score.
        return d.best().map(c -> text + "\t" + c.route() + "\t" + score(fitted(d) ? d.confidence().orElse(c.score()) : c.score()))
                .orElse(text + "\t-\t-");
    }

    private void text(PrintWriter out, RouteDecision d) {
        if (d.routes().isEmpty()) {
            out.println(ansi.string("@|faint -|@"));
        } else {
            StringBuilder line = new StringBuilder();
            for (Candidate c : many ? d.routes() : d.routes().subList(0, 1)) {
                if (line.length() > 0) {
                    line.append("  ");
                }
                line.append(ansi.string("@|bold,green " + c.route().replace("|@", "| @") + "|@")).append(' ');
                if (fitted(d)) {
                    // The confidence is what passed: the calibrated probability that this route is right.
                    line.append(score(c == d.routes().get(0) ? d.confidence().orElse(c.score()) : c.score()))
                            .append(" (confidence >= ").append(score(c.threshold())).append(", fitted decision; best similarity ")
                            .append(score(c.bestSimilarity())).append(')');
                } else {
                    // The score ranks; the best similarity is what passed the threshold, so both are shown.
                    line.append(score(c.score())).append(" (best similarity ").append(score(c.bestSimilarity())).append(" >= threshold ")
                            .append(score(c.threshold())).append(')');
                }
            }
            out.println(line);
        }
        if (explain) {
            if (fitted(d)) {
                out.println("  decision: fitted (srouter fit): routes ranked by the head's probability; a route passes when its "
                        + "confidence, from probability and best similarity, reaches the threshold");
                out.println("  candidates (score = the head's probability):");
            } else {
                out.println("  decision: kNN (top-k similarities; no fit file, or --no-fit)");
                out.println("  candidates (score = " + "aggregated similarity; pass = best similarity >= threshold):");
            }
            for (Candidate c : d.candidates()) {
                String mark = c.passed() ? ansi.string("@|green pass|@") : ansi.string("@|red fail|@");
                if (fitted(d)) {
                    out.printf(Locale.ROOT, "    %-24s score %s  best %s  %s%n", c.route(), score(c.score()), score(c.bestSimilarity()), mark);
                } else {
                    out.printf(Locale.ROOT, "    %-24s score %s  best %s %s %s  %s%n", c.route(), score(c.score()), score(c.bestSimilarity()),
                            c.passed() ? ">=" : "< ", score(c.threshold()), mark);
                }
            }
            out.println("  nearest utterances:");
            for (Hit h : d.nearest()) {
                out.printf(Locale.ROOT, "    %s  %-24s %s%n", score(h.score()), h.route(), h.utterance());
            }
        }
    }

    private static boolean fitted(RouteDecision d) {
        return RouteDecision.FITTED.equals(d.decidedBy());
    }

    static String score(double s) {
        return String.format(Locale.ROOT, "%.4f", s);
    }
}
