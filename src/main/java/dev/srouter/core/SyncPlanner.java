package dev.srouter.core;

import dev.srouter.core.AttributeChange.Attribute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Computes what a sync will do, without doing it: the pure half of the sync engine ({@code SyncExecutor} applies
 * the plan). Keeping it pure is what lets the plan be shown before anything is written, and lets a property test
 * check every strategy against the promise of DESIGN.md: after a sync both sides equal one target T, and a second
 * sync does nothing.
 *
 * <p>Every route is assumed to have at least one utterance, as the routes file reader and a remote (whose routes
 * are made of records) guarantee; a remote cannot hold a route without records.
 */
public final class SyncPlanner {
    private SyncPlanner() {}

    /**
     * The plan that makes {@code local} (the routes file, L) and {@code remote} (the index, R) equal under
     * {@code strategy}. For {@link SyncStrategy#ERROR} the plan has no target and writes nothing; its
     * {@link SyncPlan#inSync()} answers whether L equals R.
     */
    public static SyncPlan plan(RouteSet local, RouteSet remote, SyncStrategy strategy) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(strategy, "strategy");
        Diff diff = Diff.between(local, remote);
        if (strategy == SyncStrategy.ERROR) {
            return new SyncPlan(strategy, Optional.empty(), diff, List.of(), List.of(), List.of(), List.of(), false,
                    new Diff(List.of()), false);
        }
        Map<String, Route> l = Diff.byName(local);
        Map<String, Route> r = Diff.byName(remote);
        RouteSet target = new RouteSet(local.encoderType(), local.encoderName(), ordered(content(l, r, strategy), l));

        // What the remote needs is exactly how T differs from R: T-only utterances are upserts, R-only ones deletes,
        // attribute changes are payload rewrites (record-level) or manifest changes (route-level).
        Diff toRemote = Diff.between(target, remote);
        Map<String, Route> t = Diff.byName(target);
        List<Utterance> upserts = new ArrayList<>();
        List<Utterance> deletes = new ArrayList<>();
        List<String> payloadUpdates = new ArrayList<>();
        List<String> attributeUpdates = new ArrayList<>();
        boolean manifestChange = false;
        for (RouteDiff d : toRemote.routes()) {
            d.localOnly().forEach(u -> upserts.add(new Utterance(d.route(), u)));
            d.remoteOnly().forEach(u -> deletes.add(new Utterance(d.route(), u)));
            if (d.status() == RouteDiff.Status.BOTH) {
                if (changes(d, Attribute.METADATA, Attribute.FUNCTION_SCHEMAS)) {
                    payloadUpdates.add(d.route());
                }
                if (changes(d, Attribute.DESCRIPTION, Attribute.SCORE_THRESHOLD)) {
                    attributeUpdates.add(d.route());
                    manifestChange = true;
                }
            } else {
                // A route appearing or disappearing changes the manifest when it carries route-level attributes.
                Route gone = d.status() == RouteDiff.Status.LOCAL_ONLY ? t.get(d.route()) : r.get(d.route());
                manifestChange |= Attribute.DESCRIPTION.isSetIn(gone) || Attribute.SCORE_THRESHOLD.isSetIn(gone);
            }
        }
        Collections.sort(upserts);
        Collections.sort(deletes);
        Collections.sort(payloadUpdates);
        Collections.sort(attributeUpdates);
        Diff localDiff = Diff.between(target, local);
        return new SyncPlan(strategy, Optional.of(target), diff, upserts, deletes, payloadUpdates, attributeUpdates,
                manifestChange, localDiff, !localDiff.isEmpty());
    }

    /** T's routes by name, in no particular order: the strategy table of DESIGN.md. */
    private static Map<String, Route> content(Map<String, Route> l, Map<String, Route> r, SyncStrategy strategy) {
        return switch (strategy) {
            case LOCAL -> l;
            case REMOTE -> r;
            case MERGE_FORCE_LOCAL -> union(l, r, (lr, rr) -> lr);
            case MERGE_FORCE_REMOTE -> union(l, r, (lr, rr) -> rr);
            case MERGE -> union(l, r, SyncPlanner::merged);
            case ERROR -> throw new IllegalArgumentException("error has no target");
        };
    }

    private static Map<String, Route> union(Map<String, Route> l, Map<String, Route> r,
            BinaryOperator<Route> both) {
        Map<String, Route> out = new LinkedHashMap<>(l);
        r.forEach((name, rr) -> out.merge(name, rr, both));
        return out;
    }

    /**
     * {@code merge} on a route both sides have: both utterance sets, and per attribute L's value where L sets one
     * (see {@link Attribute#isSetIn}: non-null, or non-empty for metadata and function schemas), else R's.
     */
    private static Route merged(Route l, Route r) {
        List<String> utterances = new ArrayList<>(l.utterances().size() + r.utterances().size());
        utterances.addAll(l.utterances());
        utterances.addAll(r.utterances()); // duplicates go in ordered()
        return new Route(l.name(), utterances,
                l.description() != null ? l.description() : r.description(),
                l.scoreThreshold() != null ? l.scoreThreshold() : r.scoreThreshold(),
                !l.metadata().isEmpty() ? l.metadata() : r.metadata(),
                !l.functionSchemas().isEmpty() ? l.functionSchemas() : r.functionSchemas());
    }

    /**
     * T's routes in the order the routes file should have them, so rewriting the file moves nothing that did not
     * change: L's routes in L's order, then the others by name; in each route L's utterances in L's order, then the
     * others sorted. Duplicates are dropped.
     */
    private static List<Route> ordered(Map<String, Route> content, Map<String, Route> l) {
        List<Route> out = new ArrayList<>(content.size());
        for (Route lr : l.values()) {
            Route c = content.get(lr.name());
            if (c != null) {
                out.add(c.withUtterances(orderedUtterances(c.utterances(), lr.utterances())));
            }
        }
        List<String> others = new ArrayList<>();
        for (String name : content.keySet()) {
            if (!l.containsKey(name)) {
                others.add(name);
            }
        }
        Collections.sort(others);
        for (String name : others) {
            Route c = content.get(name);
            out.add(c.withUtterances(orderedUtterances(c.utterances(), List.of())));
        }
        return out;
    }

    private static List<String> orderedUtterances(List<String> wanted, List<String> localOrder) {
        Set<String> want = new HashSet<>(wanted);
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(want.size());
        for (String u : localOrder) {
            if (want.contains(u) && seen.add(u)) {
                out.add(u);
            }
        }
        int fromLocal = out.size();
        for (String u : wanted) {
            if (seen.add(u)) {
                out.add(u);
            }
        }
        Collections.sort(out.subList(fromLocal, out.size()));
        return out;
    }

    private static boolean changes(RouteDiff d, Attribute... attributes) {
        for (AttributeChange c : d.attributeChanges()) {
            for (Attribute a : attributes) {
                if (c.attribute() == a) {
                    return true;
                }
            }
        }
        return false;
    }
}
