package dev.srouter.cli;

import dev.srouter.core.RouteSet;
import dev.srouter.core.Router;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.SrouterException;
import dev.srouter.encoder.CachingEncoder;
import dev.srouter.encoder.EmbeddingCache;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.Encoders;
import dev.srouter.encoder.OnnxModelSpec;
import dev.srouter.engine.RoutingEngine;
import dev.srouter.fit.FittedDecision;
import dev.srouter.fit.FittedModel;
import dev.srouter.index.local.LocalIndex;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns options into a ready {@link RoutingEngine}: reads and validates the routes file, picks
 * the encoder (flag, else the file's encoder_type, else local), wraps it in the embedding cache
 * and builds the in-memory index. Everything that can fail on bad input fails here, before any
 * text is routed.
 */
final class RoutingSetup implements AutoCloseable {
    final RouteSet routes;
    final Encoder encoder;
    final RoutingEngine engine;
    /** The remote index routed against, closed with the setup; null for the local one. */
    private final dev.srouter.index.SearchIndex remoteIndex;

    private RoutingSetup(RouteSet routes, Encoder encoder, RoutingEngine engine, dev.srouter.index.SearchIndex remoteIndex) {
        this.routes = routes;
        this.encoder = encoder;
        this.engine = engine;
        this.remoteIndex = remoteIndex;
    }

    /**
     * @param storeQueries whether routed texts are added to the cache (not for stdin streams,
     *     which would grow it without bound)
     */
    static RoutingSetup open(RootCommand root, RoutingOptions options, boolean storeQueries, Consumer<String> debug, Consumer<String> warn) {
        if (options.topK < 1) {
            throw SrouterException.usage("--top-k must be at least 1, got " + options.topK);
        }
        if (options.limit < 1) {
            throw SrouterException.usage("--limit must be at least 1, got " + options.limit);
        }
        if (options.threshold != null && (options.threshold < 0 || options.threshold > 1 || options.threshold.isNaN())) {
            throw SrouterException.usage("--threshold must be in [0,1], got " + options.threshold);
        }
        long t0 = System.nanoTime();
        if (!IndexFactory.isLocal(root.index)) {
            return openRemote(root, options, storeQueries, debug, warn, t0);
        }
        RouteSet routes = RoutesFile.read(root.routes, warn);
        checkFilter(options, routes, root.routes.toString());
        Encoder base = createEncoder(root, routes);
        debug.accept("encoder " + base.name() + " (dimension " + (base.dimension() < 0 ? "unknown until first call" : base.dimension()) + ")");
        Encoder encoder = cached(root, base, warn);
        // A big routes file on a cold cache takes a while to embed: show it on a terminal.
        LocalIndex index = LocalIndex.build(routes, new dev.srouter.encoder.ProgressEncoder(encoder,
                TerminalProgress.forContext(root.ctx, root.quiet)));
        FittedDecision fitted = options.noFit ? null : fitted(root.routes, routes, base, options, debug);
        RoutingEngine engine = engine(options, routes, base, encoder, index, storeQueries, fitted);
        debug.accept(String.format(Locale.ROOT, "%d routes, %d utterances ready in %.0f ms", routes.routes().size(), index.size(),
                (System.nanoTime() - t0) / 1e6));
        return new RoutingSetup(routes, encoder, engine, null);
    }

    /**
     * Routing against a remote-style index's own vectors and route-level settings (from its
     * manifest): no routes file needed. The encoder is the one recorded on the index unless
     * --encoder names another.
     */
    private static RoutingSetup openRemote(RootCommand root, RoutingOptions options, boolean storeQueries, Consumer<String> debug,
            Consumer<String> warn, long t0) {
        dev.srouter.index.VectorIndex index = IndexFactory.remote(root, "route");
        try {
            dev.srouter.index.VectorIndex.IndexInfo info = index.describe();
            if (!info.exists()) {
                throw SrouterException.failure(index.describeLocation() + " does not exist; create it with srouter push --index " + root.index);
            }
            dev.srouter.engine.RemoteReader.RemoteState remote = dev.srouter.engine.RemoteReader.read(index);
            RouteSet routes = remote.routes();
            checkFilter(options, routes, index.describeLocation());
            String recorded = remote.manifest().map(dev.srouter.core.Manifest::encoder).orElse(null);
            Encoder base = Encoders.create(root.encoder != null ? root.encoder : recorded != null ? recorded : "local", root.encoderModel,
                    root.encoderUrl, root.ctx.env());
            if (recorded != null && !recorded.equals(base.name())) {
                // Query vectors of one model against records of another give scores that mean nothing.
                String name = base.name();
                base.close();
                throw SrouterException.failure(index.describeLocation() + " holds vectors of " + recorded + ", this run's encoder is " + name
                        + "; routing would compare vectors of two models. Leave out --encoder (the index's is used) or use --encoder "
                        + recorded);
            }
            if (base.dimension() > 0 && info.dimension() > 0 && base.dimension() != info.dimension()) {
                throw SrouterException.failure("the index holds vectors of dimension " + info.dimension()
                        + (recorded == null ? "" : " (" + recorded + ")") + ", the encoder " + base.name() + " makes " + base.dimension());
            }
            Encoder encoder = cached(root, base, warn);
            RoutingEngine engine = engine(options, routes, base, encoder, index, storeQueries, null);
            debug.accept(String.format(Locale.ROOT, "encoder %s; %s: %d routes, %d records, ready in %.0f ms", base.name(),
                    index.describeLocation(), routes.routes().size(), remote.records(), (System.nanoTime() - t0) / 1e6));
            return new RoutingSetup(routes, encoder, engine, index);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** {@code base} behind the embedding cache, unless --no-cache. */
    static Encoder cached(RootCommand root, Encoder base, Consumer<String> warn) {
        if (root.noCache) {
            return base;
        }
        Path dir = root.cacheDir != null ? root.cacheDir : EmbeddingCache.defaultDir(root.ctx.env());
        return new CachingEncoder(base, EmbeddingCache.open(dir, base.cacheKey(), warn));
    }

    /**
     * The decision {@code srouter fit} wrote beside the routes file, when there is one: refused when
     * the routes' utterances or the encoder changed since, because its head would then answer for
     * routes it was not trained on.
     */
    static FittedDecision fitted(Path routesFile, RouteSet routes, Encoder base, RoutingOptions options, Consumer<String> debug) {
        Path file = FittedModel.pathFor(routesFile);
        java.util.Optional<FittedModel> model = FittedModel.read(file);
        if (model.isEmpty()) {
            return null;
        }
        FittedModel m = model.get();
        if (!m.routesHash().equals(FittedModel.routesHash(routes))) {
            throw SrouterException.failure(file + " was fitted on other routes (their names or utterances changed since); rerun "
                    + "srouter fit -r " + routesFile + " --data ..., or pass --no-fit to decide without it");
        }
        if (!m.encoder().equals(base.name())) {
            throw SrouterException.failure(file + " was fitted with the encoder " + m.encoder() + ", this run's is " + base.name()
                    + "; rerun srouter fit with this encoder, or pass --no-fit");
        }
        if (options.threshold != null) {
            throw SrouterException.usage("--threshold sets the kNN decision's threshold, but " + file + " makes the fitted decision "
                    + "decide (its threshold comes from srouter fit); pass --no-fit to route with --threshold");
        }
        debug.accept(String.format(Locale.ROOT, "decision: fitted (%s): a route passes at confidence %.4f", file, m.minConfidence()));
        return new FittedDecision(m);
    }

    private static RoutingEngine engine(RoutingOptions options, RouteSet routes, Encoder base, Encoder encoder,
            dev.srouter.index.SearchIndex index, boolean storeQueries, FittedDecision fitted) {
        double threshold = options.threshold != null ? options.threshold : base.defaultThreshold();
        Router router = new Router(routes.thresholds(), threshold, options.aggregationMethod());
        Encoder queryEncoder = encoder instanceof CachingEncoder c && !storeQueries ? c.readOnly() : encoder;
        return new RoutingEngine(queryEncoder, index, router, options.topK, options.filterSet(), options.limit, fitted);
    }

    private static void checkFilter(RoutingOptions options, RouteSet routes, String where) {
        for (String f : options.filterSet()) {
            if (routes.route(f).isEmpty()) {
                throw SrouterException.usage("--filter names route '" + f + "', which " + where + " does not hold (routes: "
                        + String.join(", ", routes.routeNames()) + ")");
            }
        }
    }

    /** Flag or env first; then the routes file's encoder_type/encoder_name; then local. */
    static Encoder createEncoder(RootCommand root, RouteSet routes) {
        String spec = root.encoder;
        String model = root.encoderModel;
        if (spec == null && routes.encoderType() != null) {
            spec = routes.encoderType();
            if (model == null) {
                model = routes.encoderName();
            }
        }
        return Encoders.create(spec == null ? "local" : spec, model, root.encoderUrl, root.ctx.env(),
                new OnnxModelSpec.Overrides(root.onnxPooling, root.onnxMaxLength, root.onnxQueryPrefix, root.onnxDocumentPrefix));
    }

    @Override
    public void close() {
        encoder.close();
        if (remoteIndex != null) {
            remoteIndex.close();
        }
    }
}
