package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.AttributeChange;
import dev.srouter.core.Diff;
import dev.srouter.core.RouteDiff;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncPlan;
import dev.srouter.core.SyncStrategy;
import dev.srouter.core.Utterance;
import dev.srouter.engine.SyncService.Comparison;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Help.Ansi;

/**
 * The diff of local against remote, with the action the chosen strategy plans for each entry:
 * a table grouped by route for people, or a stable JSON document for CI (docs/sync-strategies.md).
 * Notation as semantic-router's: {@code -} only local, {@code +} only remote, {@code ~} attribute.
 */
final class DiffRenderer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row of the table. */
    record Entry(String route, String mark, String what, String local, String remote, String action) {}

    static List<Entry> entries(Comparison c) {
        SyncPlan plan = c.plan();
        Set<Utterance> upserts = new HashSet<>(plan.remoteUpserts());
        Set<Utterance> deletes = new HashSet<>(plan.remoteDeletes());
        RouteSet target = plan.target().orElse(null);
        List<Entry> out = new ArrayList<>();
        for (RouteDiff d : plan.diff().changed()) {
            for (String u : d.localOnly()) {
                Utterance key = new Utterance(d.route(), u);
                String action = plan.strategy() == SyncStrategy.ERROR ? "none"
                        : upserts.contains(key) ? "add to remote" : inTarget(target, key) ? "keep" : "remove from file";
                out.add(new Entry(d.route(), "-", u, "yes", "no", action));
            }
            for (String u : d.remoteOnly()) {
                Utterance key = new Utterance(d.route(), u);
                String action = plan.strategy() == SyncStrategy.ERROR ? "none"
                        : deletes.contains(key) ? "delete from remote" : inTarget(target, key) ? "add to file" : "keep";
                out.add(new Entry(d.route(), "+", u, "no", "yes", action));
            }
            for (AttributeChange a : d.attributeChanges()) {
                String action = "none";
                if (target != null) {
                    Object t = target.route(d.route()).map(a.attribute()::valueIn).orElse(null);
                    action = java.util.Objects.equals(t, a.local()) ? "set on remote" : "set in file";
                }
                out.add(new Entry(d.route(), "~", a.attribute().key(), show(a.local()), show(a.remote()), action));
            }
        }
        return out;
    }

    private static boolean inTarget(RouteSet target, Utterance u) {
        return target != null && target.route(u.route()).map(r -> r.utterances().contains(u.text())).orElse(false);
    }

    private static String show(Object value) {
        if (value == null) {
            return "(unset)";
        }
        try {
            return value instanceof String s ? s : JSON.writeValueAsString(value);
        } catch (Exception e) {
            return String.valueOf(value);
        }
    }

    /**
     * The table (or with {@code summaryOnly} the per-route counts), a legend, and the summary line, in at most
     * {@code width} columns: cells wrap at spaces.
     */
    static void text(PrintWriter out, Comparison c, boolean summaryOnly, Ansi ansi, int width) {
        SyncPlan plan = c.plan();
        if (plan.inSync()) {
            out.println("in sync: " + (c.fastPath() ? "the remote's content hash matches the routes file" : "no differences")
                    + " (" + c.local().routes().size() + " routes, " + c.local().utteranceCount() + " utterances)");
            return;
        }
        TextTable table;
        if (summaryOnly) {
            table = new TextTable(List.of("ROUTE", "ONLY IN FILE (-)", "ONLY ON REMOTE (+)", "ATTRIBUTES (~)"));
            for (RouteDiff d : plan.diff().changed()) {
                table.add(List.of(TextTable.Cell.plain(d.route()), TextTable.Cell.plain(String.valueOf(d.localOnly().size())),
                        TextTable.Cell.plain(String.valueOf(d.remoteOnly().size())),
                        TextTable.Cell.plain(String.valueOf(d.attributeChanges().size()))));
            }
        } else {
            table = new TextTable(List.of("ROUTE", " ", "UTTERANCE OR ATTRIBUTE", "LOCAL", "REMOTE", "ACTION"));
            String last = null;
            for (Entry e : entries(c)) {
                UnaryOperator<String> style = style(e.action(), ansi);
                table.add(List.of(TextTable.Cell.plain(e.route().equals(last) ? "" : e.route()), new TextTable.Cell(e.mark(), style),
                        TextTable.Cell.plain(e.what()), TextTable.Cell.plain(e.local()), TextTable.Cell.plain(e.remote()),
                        new TextTable.Cell(e.action(), style)));
                last = e.route();
            }
        }
        table.render(width).forEach(out::println);
        for (String line : legend(ansi)) {
            // Escape codes do not take columns: wrap only a legend line that is too wide without colour.
            String plain = line.replaceAll("\u001b\\[[0-9;]*m", "");
            (TextTable.length(plain) <= width ? List.of(line) : TextTable.wrap(plain, width)).forEach(out::println);
        }
        out.println(summary(plan));
    }

    /** What the markers, and with colour the colours, mean: one or two lines. */
    static List<String> legend(Ansi ansi) {
        String marks = "markers: - only in the routes file, + only on the remote, ~ attribute differs";
        if (!ansi.enabled()) {
            return List.of(marks);
        }
        return List.of(marks, "colours: " + ansi.string("@|green green|@") + " adds, " + ansi.string("@|red red|@") + " removes, "
                + ansi.string("@|yellow yellow|@") + " sets a value, on the side ACTION names");
    }

    /** Colour by what happens: green adds, red removes, yellow sets a value; keep and none stay plain. */
    private static UnaryOperator<String> style(String action, Ansi ansi) {
        String colour = action.startsWith("add") ? "green" : action.startsWith("delete") || action.startsWith("remove") ? "red"
                : action.startsWith("set") ? "yellow" : null;
        if (colour == null || !ansi.enabled()) {
            return UnaryOperator.identity();
        }
        return s -> ansi.string("@|" + colour + " " + s.replace("|@", "| @") + "|@");
    }

    /**
     * The last line: what the plan writes, e.g. {@code remote: +2 -0 ~1  local: +2 -0 ~0  (strategy merge)}; for
     * {@code error}, which writes nothing, the differences it found.
     */
    static String summary(SyncPlan plan) {
        if (plan.strategy() == SyncStrategy.ERROR) {
            Diff d = plan.diff();
            return "differences: " + d.localOnlyCount() + " only in the file (-), " + d.remoteOnlyCount() + " only on the remote (+), "
                    + count(d.attributeChangeCount(), "attribute") + " (~), in " + count(plan.diff().changed().size(), "route")
                    + "  (strategy error: nothing written)";
        }
        return plan.summary() + "  (strategy " + plan.strategy().cliName() + ")";
    }

    /** {@code 1 route}, {@code 2 routes}. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The documented JSON schema (docs/sync-strategies.md, "JSON output"). */
    static ObjectNode json(Comparison c, String indexLocation) {
        SyncPlan plan = c.plan();
        ObjectNode root = JSON.createObjectNode();
        root.put("in_sync", plan.inSync());
        root.put("strategy", plan.strategy().cliName());
        root.put("index", indexLocation);
        root.put("fast_path", c.fastPath());
        ArrayNode routes = root.putArray("routes");
        // Entries grouped by route once: one pass, however many routes and entries there are.
        Map<String, List<Entry>> byRoute = new LinkedHashMap<>();
        for (Entry e : entries(c)) {
            byRoute.computeIfAbsent(e.route(), k -> new ArrayList<>()).add(e);
        }
        for (RouteDiff d : plan.diff().changed()) {
            ObjectNode r = routes.addObject();
            r.put("route", d.route());
            r.put("status", d.status().name().toLowerCase(Locale.ROOT));
            ArrayNode es = r.putArray("entries");
            for (Entry e : byRoute.getOrDefault(d.route(), List.of())) {
                ObjectNode n = es.addObject();
                n.put("kind", e.mark().equals("~") ? "attribute" : "utterance");
                n.put("side", switch (e.mark()) {
                    case "-" -> "local_only";
                    case "+" -> "remote_only";
                    default -> "both_differ";
                });
                n.put(e.mark().equals("~") ? "attribute" : "utterance", e.what());
                if (e.mark().equals("~")) {
                    AttributeChange a = d.attributeChanges().stream().filter(x -> x.attribute().key().equals(e.what())).findFirst().orElseThrow();
                    n.set("local", JSON.valueToTree(a.local()));
                    n.set("remote", JSON.valueToTree(a.remote()));
                }
                n.put("action", e.action().replace(' ', '_'));
            }
        }
        ObjectNode counts = root.putObject("counts");
        ObjectNode remote = counts.putObject("remote");
        remote.put("upsert", plan.remoteUpserts().size());
        remote.put("delete", plan.remoteDeletes().size());
        remote.put("update", plan.remoteRouteUpdateCount());
        ObjectNode local = counts.putObject("local");
        local.put("add", plan.localAdded());
        local.put("remove", plan.localRemoved());
        ObjectNode differences = root.putObject("differences");
        differences.put("local_only", plan.diff().localOnlyCount());
        differences.put("remote_only", plan.diff().remoteOnlyCount());
        differences.put("attributes", plan.diff().attributeChangeCount());
        differences.put("routes", plan.diff().changed().size());
        root.put("summary", summary(plan));
        return root;
    }
}
