package dev.srouter.engine;

import dev.srouter.core.RouteDecision;
import dev.srouter.core.Router;
import dev.srouter.encoder.Encoder;
import dev.srouter.index.VectorIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Routes texts end to end: encode (in one call, so the encoder can parallelize or batch), query
 * the index for the top-k nearest utterances, and let the {@link Router} decide.
 */
public final class RoutingEngine {
    private final Encoder encoder;
    private final VectorIndex index;
    private volatile Router router;
    private final int topK;
    private final Set<String> routeFilter;
    private final int limit;

    public RoutingEngine(Encoder encoder, VectorIndex index, Router router, int topK, Set<String> routeFilter, int limit) {
        this.encoder = encoder;
        this.index = index;
        this.router = router;
        this.topK = topK;
        this.routeFilter = Set.copyOf(routeFilter);
        this.limit = limit;
    }

    public List<RouteDecision> route(List<String> texts) {
        List<float[]> vectors = encoder.encode(texts);
        List<RouteDecision> out = new ArrayList<>(texts.size());
        Router r = router;
        for (int i = 0; i < texts.size(); i++) {
            out.add(r.decide(texts.get(i), index.query(vectors.get(i), topK, routeFilter), limit));
        }
        return out;
    }

    public RouteDecision route(String text) {
        return route(List.of(text)).get(0);
    }

    public Router router() {
        return router;
    }

    public void setRouter(Router router) {
        this.router = router;
    }

    public Encoder encoder() {
        return encoder;
    }

    public VectorIndex index() {
        return index;
    }
}
