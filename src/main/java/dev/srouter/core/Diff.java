package dev.srouter.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact, order-insensitive difference between two route sets: what {@code srouter diff} shows and what the
 * {@code error} strategy checks.
 *
 * <p>Utterances are compared as sets per route (reordering the YAML is not a change) and attributes by value
 * ({@link Values#equal}). The work is linear in the number of utterances: one hash set per route and side.
 *
 * @param routes one entry per route name on either side, unchanged routes included: local file order first, then
 *     remote-only routes by name
 */
public record Diff(List<RouteDiff> routes) {

    public Diff {
        routes = List.copyOf(routes);
    }

    /** The difference of {@code local} against {@code remote}; "local" and "remote" only name the two sides. */
    public static Diff between(RouteSet local, RouteSet remote) {
        Map<String, Route> remoteByName = byName(remote);
        Set<String> localNames = new HashSet<>();
        List<RouteDiff> out = new ArrayList<>(remoteByName.size() + local.routes().size());
        for (Route l : byName(local).values()) {
            localNames.add(l.name());
            Route r = remoteByName.get(l.name());
            out.add(r == null ? oneSided(l, RouteDiff.Status.LOCAL_ONLY) : compare(l, r));
        }
        List<Route> remoteOnly = new ArrayList<>();
        for (Route r : remote.routes()) {
            if (!localNames.contains(r.name())) {
                remoteOnly.add(r);
            }
        }
        remoteOnly.sort((a, b) -> a.name().compareTo(b.name()));
        for (Route r : remoteOnly) {
            out.add(oneSided(r, RouteDiff.Status.REMOTE_ONLY));
        }
        return new Diff(out);
    }

    /** Whether the two sides hold the same routes, utterances and attribute values. */
    public boolean isEmpty() {
        return routes.stream().allMatch(RouteDiff::isEmpty);
    }

    /** The routes that differ, in {@link #routes()} order. */
    public List<RouteDiff> changed() {
        return routes.stream().filter(d -> !d.isEmpty()).toList();
    }

    public int changedRouteCount() {
        return (int) routes.stream().filter(d -> !d.isEmpty()).count();
    }

    /** Utterances only on the local side, one-sided routes included. */
    public int localOnlyCount() {
        return routes.stream().mapToInt(d -> d.localOnly().size()).sum();
    }

    /** Utterances only on the remote side, one-sided routes included. */
    public int remoteOnlyCount() {
        return routes.stream().mapToInt(d -> d.remoteOnly().size()).sum();
    }

    public int attributeChangeCount() {
        return routes.stream().mapToInt(d -> d.attributeChanges().size()).sum();
    }

    /** Routes on one side only: the given status, LOCAL_ONLY or REMOTE_ONLY. */
    public int routeCount(RouteDiff.Status status) {
        return (int) routes.stream().filter(d -> d.status() == status).count();
    }

    private static RouteDiff oneSided(Route route, RouteDiff.Status status) {
        distinct(route, route.utterances());
        if (status == RouteDiff.Status.LOCAL_ONLY) {
            return new RouteDiff(route.name(), status, route.utterances(), List.of(), 0, List.of());
        }
        return new RouteDiff(route.name(), status, List.of(), sorted(route.utterances()), 0, List.of());
    }

    private static RouteDiff compare(Route local, Route remote) {
        Set<String> remoteSet = distinct(remote, remote.utterances());
        Set<String> localSet = distinct(local, local.utterances());
        List<String> localOnly = new ArrayList<>();
        for (String u : local.utterances()) {
            if (!remoteSet.contains(u)) {
                localOnly.add(u);
            }
        }
        int common = localSet.size() - localOnly.size();
        List<String> remoteOnly = new ArrayList<>(remoteSet.size() - common);
        if (common < remoteSet.size()) {
            for (String u : remote.utterances()) {
                if (!localSet.contains(u)) {
                    remoteOnly.add(u);
                }
            }
            Collections.sort(remoteOnly);
        }
        return new RouteDiff(local.name(), RouteDiff.Status.BOTH, localOnly, remoteOnly, common,
                attributeChanges(local, remote));
    }

    /** The attributes whose values differ between two versions of a route, in routes-file key order. */
    static List<AttributeChange> attributeChanges(Route local, Route remote) {
        List<AttributeChange> changes = new ArrayList<>(0);
        for (AttributeChange.Attribute a : AttributeChange.Attribute.values()) {
            if (!a.sameIn(local, remote)) {
                changes.add(new AttributeChange(a, a.valueIn(local), a.valueIn(remote)));
            }
        }
        return changes;
    }

    static List<String> sorted(List<String> utterances) {
        List<String> out = new ArrayList<>(utterances);
        Collections.sort(out);
        return out;
    }

    /**
     * The utterances of a route as a set. Utterances are unique within a route (the routes file reader rejects
     * duplicates, and a remote's records are unique by id), so a duplicate here is a programming error.
     */
    private static Set<String> distinct(Route route, List<String> utterances) {
        Set<String> set = new HashSet<>(utterances);
        if (set.size() != utterances.size()) {
            throw new IllegalArgumentException("duplicate utterance in route " + route.name());
        }
        return set;
    }

    /**
     * The routes of a set by name. Names are unique in a valid set (the routes file reader and the remote reader
     * guarantee it), so a duplicate here is a programming error.
     */
    static Map<String, Route> byName(RouteSet set) {
        Map<String, Route> out = new LinkedHashMap<>();
        for (Route r : set.routes()) {
            if (out.putIfAbsent(r.name(), r) != null) {
                throw new IllegalArgumentException("duplicate route name: " + r.name());
            }
        }
        return out;
    }
}
