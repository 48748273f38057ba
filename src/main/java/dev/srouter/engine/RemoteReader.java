package dev.srouter.engine;

import dev.srouter.core.Manifest;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndex.StoredRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a remote index back into routes: its records, grouped by route, plus the route-level
 * attributes only the manifest holds. Works on indexes written by semantic-router too (no
 * manifest: description and threshold are unknown there, and read as unset).
 */
public final class RemoteReader {
    /** Records per page; backends may use their own limit. */
    public static final int PAGE_SIZE = 1000;

    private RemoteReader() {}

    /** The remote as routes, and its manifest when it has a readable one. */
    public record RemoteState(RouteSet routes, Optional<Manifest> manifest, long records) {}

    public static Optional<Manifest> manifest(VectorIndex index) {
        return index.readConfig(Manifest.FIELD).flatMap(e -> Manifest.parse(e.value()));
    }

    public static RemoteState read(VectorIndex index) {
        return read(index, manifest(index));
    }

    /** {@link #read(VectorIndex)} with the manifest already read. */
    public static RemoteState read(VectorIndex index, Optional<Manifest> manifest) {
        return read(index, manifest, dev.srouter.core.Progress.Task.NONE);
    }

    /** {@link #read(VectorIndex, Optional)}, advancing {@code progress} by the records of each page. */
    public static RemoteState read(VectorIndex index, Optional<Manifest> manifest, dev.srouter.core.Progress.Task progress) {
        // Routes sorted by name and utterances in a stable order: the remote has no order of its own.
        Map<String, Set<String>> utterances = new TreeMap<>();
        Map<String, Map<Map<String, Object>, Integer>> metadataVotes = new HashMap<>();
        Map<String, List<Map<String, Object>>> functionSchemas = new HashMap<>();
        long count = 0;
        String token = null;
        do {
            VectorIndex.RecordPage page = index.read(token, PAGE_SIZE);
            for (StoredRecord r : page.records()) {
                count++;
                utterances.computeIfAbsent(r.route(), k -> new LinkedHashSet<>()).add(r.utterance());
                metadataVotes.computeIfAbsent(r.route(), k -> new HashMap<>()).merge(r.metadata() == null ? Map.of() : r.metadata(), 1, Integer::sum);
                if (r.functionSchemas() != null && !r.functionSchemas().isEmpty()) {
                    functionSchemas.putIfAbsent(r.route(), r.functionSchemas());
                }
            }
            progress.advance(page.records().size());
            token = page.nextPageToken();
        } while (token != null);

        List<Route> routes = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : utterances.entrySet()) {
            String name = e.getKey();
            List<String> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            Manifest.RouteAttributes attrs = manifest.map(m -> m.routes().get(name)).orElse(null);
            List<Map<String, Object>> schemas = attrs != null && !attrs.functionSchemas().isEmpty()
                    ? attrs.functionSchemas() : functionSchemas.getOrDefault(name, List.of());
            routes.add(new Route(name, sorted, attrs == null ? null : attrs.description(), attrs == null ? null : attrs.scoreThreshold(),
                    majority(metadataVotes.get(name)), schemas));
        }
        return new RemoteState(RouteSet.of(routes), manifest, count);
    }

    /**
     * Every record of a route carries the route's metadata; after an interrupted sync they may
     * differ: the most common wins, ties broken by text so the answer never depends on read order.
     */
    private static Map<String, Object> majority(Map<Map<String, Object>, Integer> votes) {
        Map<String, Object> best = Map.of();
        int bestCount = -1;
        for (Map.Entry<Map<String, Object>, Integer> e : votes.entrySet()) {
            boolean tieBrokenByText = e.getValue() == bestCount && e.getKey().toString().compareTo(best.toString()) < 0;
            if (e.getValue() > bestCount || tieBrokenByText) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}
