package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.AttributeChange;
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

    static void text(PrintWriter out, Comparison c, boolean summaryOnly, Ansi ansi) {
        SyncPlan plan = c.plan();
        if (plan.inSync()) {
            out.println("in sync: " + (c.fastPath() ? "the remote's content hash matches the routes file" : "no differences")
                    + " (" + c.local().routes().size() + " routes, " + c.local().utteranceCount() + " utterances)");
            return;
        }
        if (summaryOnly) {
            out.printf(Locale.ROOT, "%-24s %8s %8s %6s%n", "ROUTE", "LOCAL+", "REMOTE+", "ATTRS");
            for (RouteDiff d : plan.diff().changed()) {
                out.printf(Locale.ROOT, "%-24s %8d %8d %6d%n", d.route(), d.localOnly().size(), d.remoteOnly().size(), d.attributeChanges().size());
            }
        } else {
            List<Entry> rows = entries(c);
            int w = Math.max(5, rows.stream().mapToInt(e -> e.route().length()).max().orElse(5));
            int v = Math.min(60, Math.max(20, rows.stream().mapToInt(e -> e.what().length()).max().orElse(20)));
            String fmt = "%-" + w + "s  %s %-" + v + "s  %-18s %-18s  %s%n";
            out.printf(Locale.ROOT, fmt, "ROUTE", " ", "UTTERANCE OR ATTRIBUTE", "LOCAL", "REMOTE", "ACTION");
            String last = null;
            for (Entry e : rows) {
                String mark = switch (e.mark()) {
                    case "-" -> ansi.string("@|green -|@");
                    case "+" -> ansi.string("@|red +|@");
                    default -> ansi.string("@|yellow ~|@");
                };
                out.printf(Locale.ROOT, fmt, e.route().equals(last) ? "" : e.route(), mark, clip(e.what(), v), clip(e.local(), 18),
                        clip(e.remote(), 18), e.action());
                last = e.route();
            }
        }
        out.println(summary(plan));
    }

    static String summary(SyncPlan plan) {
        return plan.summary() + "  (strategy " + plan.strategy().cliName() + ")";
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
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
        root.put("summary", summary(plan));
        return root;
    }
}
