package dev.srouter.engine;

import dev.srouter.core.Hit;
import dev.srouter.core.RouteDecision;
import dev.srouter.core.Router;
import dev.srouter.encoder.Encoder;
import dev.srouter.fit.FittedDecision;
import dev.srouter.index.SearchIndex;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Routes texts end to end: encode (in one call, so the encoder can parallelize or batch), query
 * the index for the top-k nearest utterances, and let the {@link Router} decide.
 */
public final class RoutingEngine {
    private static final int SLICE = 32;

    private final Encoder encoder;
    private final SearchIndex index;
    private volatile Router router;
    private final int topK;
    private final Set<String> routeFilter;
    private final int limit;
    /** The decision srouter fit learned, or null for the kNN decision of {@link Router}. */
    private final FittedDecision fitted;

    public RoutingEngine(Encoder encoder, SearchIndex index, Router router, int topK, Set<String> routeFilter, int limit) {
        this(encoder, index, router, topK, routeFilter, limit, null);
    }

    /** @param fitted the decision srouter fit learned, which then decides instead of {@code router}; null for none */
    public RoutingEngine(Encoder encoder, SearchIndex index, Router router, int topK, Set<String> routeFilter, int limit, FittedDecision fitted) {
        this.fitted = fitted;
        this.encoder = encoder;
        this.index = index;
        this.router = router;
        this.topK = topK;
        this.routeFilter = Set.copyOf(routeFilter);
        this.limit = limit;
    }

    public List<RouteDecision> route(List<String> texts) {
        return decide(texts, encode(texts));
    }

    /** The first half of {@link #route}: embedding, which a stream can run ahead on the next chunk. */
    public List<float[]> encode(List<String> texts) {
        return encoder.encode(texts, Encoder.Input.QUERY);
    }

    /** The second half of {@link #route}: search and decide for texts already embedded. */
    public List<RouteDecision> decide(List<String> texts, List<float[]> vectors) {
        Router r = router;
        RouteDecision[] out = new RouteDecision[texts.size()];
        // Searching is pure CPU over the whole index, so a batch is searched in slices on all cores.
        int slices = (out.length + SLICE - 1) / SLICE;
        IntStream indices = IntStream.range(0, slices);
        (slices > 1 ? indices.parallel() : indices).forEach(slice -> {
            int from = slice * SLICE;
            int to = Math.min(out.length, from + SLICE);
            List<List<Hit>> hits = index.queryBatch(vectors.subList(from, to), topK, routeFilter);
            for (int i = from; i < to; i++) {
                out[i] = fitted != null
                        ? fitted.decide(texts.get(i), vectors.get(i), hits.get(i - from), limit, routeFilter)
                        : r.decide(texts.get(i), hits.get(i - from), limit);
            }
        });
        return List.of(out);
    }

    public RouteDecision route(String text) {
        return route(List.of(text)).get(0);
    }

    /** The fitted decision in use, if any. */
    public java.util.Optional<FittedDecision> fitted() {
        return java.util.Optional.ofNullable(fitted);
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

    public SearchIndex index() {
        return index;
    }
}
