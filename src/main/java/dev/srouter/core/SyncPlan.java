package dev.srouter.core;

import dev.srouter.core.AttributeChange.Attribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a sync will write, computed by {@link SyncPlanner} before anything is written, so it can be shown, confirmed
 * and then applied. Remote lists are sorted, so the plan for the same routes is the same whatever order they came in.
 *
 * @param target T, the routes both sides will hold (L's encoder hints kept, routes in the file's order); empty for
 *     {@link SyncStrategy#ERROR}
 * @param diff L against R, what {@code srouter diff} shows
 * @param remoteUpserts records T has and R lacks: these need embedding, and are written with T's payload
 * @param remoteDeletes records R has and T lacks
 * @param remotePayloadUpdates routes on both R and T whose record payload (metadata, function schemas) changes: their
 *     records that are not upserted anyway are rewritten without re-embedding
 * @param remoteAttributeUpdates routes on both R and T whose route-level attributes (description, score_threshold)
 *     change; those live only in the manifest
 * @param manifestChange whether the manifest's route-level attributes differ between R and T (including a route
 *     with such attributes appearing or disappearing)
 * @param localDiff {@code Diff.between(T, L)}: its local-only utterances are what the routes file gains, its
 *     remote-only ones what it loses, its attribute changes hold (new value, old value)
 * @param localChanged whether T differs from L, so the routes file must be rewritten
 */
public record SyncPlan(
        SyncStrategy strategy,
        Optional<RouteSet> target,
        Diff diff,
        List<Utterance> remoteUpserts,
        List<Utterance> remoteDeletes,
        List<String> remotePayloadUpdates,
        List<String> remoteAttributeUpdates,
        boolean manifestChange,
        Diff localDiff,
        boolean localChanged) {

    public SyncPlan {
        remoteUpserts = List.copyOf(remoteUpserts);
        remoteDeletes = List.copyOf(remoteDeletes);
        remotePayloadUpdates = List.copyOf(remotePayloadUpdates);
        remoteAttributeUpdates = List.copyOf(remoteAttributeUpdates);
    }

    /** Whether L equals R (before the plan): the answer of {@code srouter diff} and of {@code --strategy error}. */
    public boolean inSync() {
        return diff.isEmpty();
    }

    /** Whether the plan writes nothing on either side. */
    public boolean isEmpty() {
        return !writesRemote() && !localChanged;
    }

    public boolean writesRemote() {
        return !remoteUpserts.isEmpty() || !remoteDeletes.isEmpty() || !remotePayloadUpdates.isEmpty() || manifestChange;
    }

    /** Routes on both sides whose payload or route-level attributes change on the remote (the {@code ~} count). */
    public int remoteRouteUpdateCount() {
        Set<String> routes = new HashSet<>(remotePayloadUpdates);
        routes.addAll(remoteAttributeUpdates);
        return routes.size();
    }

    /** Utterances the routes file gains. */
    public int localAdded() {
        return localDiff.localOnlyCount();
    }

    /** Utterances the routes file loses. */
    public int localRemoved() {
        return localDiff.remoteOnlyCount();
    }

    /** Routes kept in the routes file whose attributes change. */
    public int localRouteUpdateCount() {
        return (int) localDiff.routes().stream().filter(d -> !d.attributeChanges().isEmpty()).count();
    }

    /**
     * One line for the end of the table, e.g. {@code remote: +12 -3 ~1  local: +4 -0 ~0}: records upserted and
     * deleted, routes whose payload or attributes change; utterances added to and removed from the file, routes whose
     * attributes change in it.
     */
    public String summary() {
        return "remote: +" + remoteUpserts.size() + " -" + remoteDeletes.size() + " ~" + remoteRouteUpdateCount()
                + "  local: +" + localAdded() + " -" + localRemoved() + " ~" + localRouteUpdateCount();
    }

    /**
     * The remote as it will be after the plan, simulated record by record: {@code remote} is expanded into records
     * (route, utterance, payload) plus a manifest of route-level attributes, the deletes, upserts (with T's payload),
     * payload rewrites and manifest change are applied, and the records are grouped back into routes. Pure; for
     * tests, which check that the result equals T. A route whose records end up with different payloads, or a
     * manifest entry left for a route without records, means the plan missed a write, so it fails here rather than
     * looking equal.
     */
    public RouteSet applyToRemote(RouteSet remote) {
        if (target.isEmpty()) {
            return remote;
        }
        Map<String, Route> t = Diff.byName(target.get());
        Map<Utterance, Route> records = new LinkedHashMap<>(); // each record points at the route its payload came from
        for (Route r : remote.routes()) {
            r.utterances().forEach(u -> records.put(new Utterance(r.name(), u), r));
        }
        remoteDeletes.forEach(records::remove);
        remoteUpserts.forEach(u -> records.put(u, t.get(u.route())));
        Set<String> rewritten = new HashSet<>(remotePayloadUpdates);
        records.replaceAll((u, from) -> rewritten.contains(u.route()) ? t.get(u.route()) : from);
        Map<String, Route> manifest = manifestChange ? t : Diff.byName(remote);

        Map<String, List<String>> utterances = new LinkedHashMap<>();
        Map<String, Route> payloads = new LinkedHashMap<>();
        records.forEach((u, from) -> {
            utterances.computeIfAbsent(u.route(), k -> new ArrayList<>()).add(u.text());
            Route first = payloads.putIfAbsent(u.route(), from);
            if (first != null && !(Attribute.METADATA.sameIn(first, from) && Attribute.FUNCTION_SCHEMAS.sameIn(first, from))) {
                throw new IllegalStateException("route " + u.route() + " would hold records with different payloads");
            }
        });
        manifest.forEach((name, attributes) -> {
            boolean kept = attributes.description() != null || attributes.scoreThreshold() != null;
            if (kept && !utterances.containsKey(name)) {
                throw new IllegalStateException("the manifest would keep attributes of route " + name + ", which has no records");
            }
        });
        List<Route> routes = new ArrayList<>();
        utterances.forEach((name, texts) -> {
            Route payload = payloads.get(name);
            Route attributes = manifest.get(name);
            routes.add(new Route(name, texts,
                    attributes == null ? null : attributes.description(),
                    attributes == null ? null : attributes.scoreThreshold(),
                    payload.metadata(), payload.functionSchemas()));
        });
        return new RouteSet(remote.encoderType(), remote.encoderName(), routes);
    }

    /**
     * The routes file as it will be after the plan, made by applying {@link #localDiff()} to {@code local}: utterances
     * added and removed, attributes set to T's values, routes added and dropped. Pure; for tests, which check that
     * the result equals T and so that {@link #localChanged()} and {@link #localDiff()} say all that changes.
     */
    public RouteSet applyToLocal(RouteSet local) {
        if (!localChanged) {
            return local;
        }
        Map<String, Route> t = Diff.byName(target.orElseThrow());
        Map<String, RouteDiff> changes = new LinkedHashMap<>();
        localDiff.routes().forEach(d -> changes.put(d.route(), d));
        List<Route> routes = new ArrayList<>();
        for (Route l : local.routes()) {
            RouteDiff d = changes.get(l.name());
            if (d == null || d.status() == RouteDiff.Status.REMOTE_ONLY) {
                continue; // only in L: dropped (a route T has is always in localDiff)
            }
            Set<String> texts = new LinkedHashSet<>(l.utterances());
            d.remoteOnly().forEach(texts::remove);
            texts.addAll(d.localOnly());
            Route updated = l.withUtterances(new ArrayList<>(texts));
            for (AttributeChange c : d.attributeChanges()) {
                updated = with(updated, c.attribute(), c.local());
            }
            routes.add(updated);
        }
        for (RouteDiff d : changes.values()) {
            if (d.status() == RouteDiff.Status.LOCAL_ONLY) {
                routes.add(t.get(d.route()).withUtterances(d.localOnly()));
            }
        }
        return new RouteSet(local.encoderType(), local.encoderName(), routes);
    }

    @SuppressWarnings("unchecked")
    private static Route with(Route r, Attribute a, Object value) {
        return switch (a) {
            case DESCRIPTION -> new Route(r.name(), r.utterances(), (String) value, r.scoreThreshold(), r.metadata(),
                    r.functionSchemas());
            case SCORE_THRESHOLD -> r.withScoreThreshold((Double) value);
            case METADATA -> new Route(r.name(), r.utterances(), r.description(), r.scoreThreshold(),
                    (Map<String, Object>) value, r.functionSchemas());
            case FUNCTION_SCHEMAS -> new Route(r.name(), r.utterances(), r.description(), r.scoreThreshold(), r.metadata(),
                    (List<Map<String, Object>>) value);
        };
    }
}
