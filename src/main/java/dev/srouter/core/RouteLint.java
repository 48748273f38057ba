package dev.srouter.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Checks a set of routes for what makes a kNN router go wrong, from their utterances' vectors alone (pure: no encoder,
 * no file). Four kinds of finding:
 *
 * <ul>
 *   <li>{@link Misplaced}: an utterance whose nearest other utterance (cosine) belongs to another route;
 *   <li>{@link Duplicate}: two utterances of two routes with similarity at least {@link Settings#duplicateSimilarity},
 *       or with the same text whatever their similarity;
 *   <li>{@link CloseRoutes}: two routes whose centroids (mean of the normalized utterance vectors, renormalized) have
 *       cosine at least {@link Settings#routeSimilarity};
 *   <li>{@link FewUtterances}: a route with fewer than {@link Settings#minUtterances} utterances.
 * </ul>
 *
 * <p>The pairwise work is every utterance against every other: n² dot products. They are computed in tiles of
 * {@value #ROWS} utterances against {@value #COLUMNS}, with the vectors stored dimension-major per tile of columns,
 * so that the innermost loop, {@code s[j] += q * column[j]}, is one the JIT vectorizes; tiles of rows run in
 * parallel, and nothing is allocated per pair. Results never depend on the tiling or the thread count: every
 * similarity is the same sum in the same order, and ties go to the utterance that comes first.
 */
public final class RouteLint {
    /** Rows (utterances) of a tile: each reuses the column slice while it is in the L1 cache. */
    static final int ROWS = 16;
    /** Columns of a tile: ROWS × COLUMNS similarities fit in L1, a column tile of 384 dimensions in L2. */
    static final int COLUMNS = 256;

    /**
     * Most pairs (duplicates, or close routes) one analysis reports. A threshold that lets more through (a very low
     * one) is refused with {@link TooManyPairs} rather than filling memory with findings nobody can read.
     */
    public static final int MAX_PAIRS = 100_000;

    private RouteLint() {}

    /** More than {@link #MAX_PAIRS} pairs of one kind reach the threshold; nothing is reported. */
    public static final class TooManyPairs extends RuntimeException {
        private final Kind kind;
        private final double threshold;

        TooManyPairs(Kind kind, double threshold) {
            super("more than " + MAX_PAIRS + " " + kind.id() + " pairs at similarity " + threshold);
            this.kind = kind;
            this.threshold = threshold;
        }

        public Kind kind() {
            return kind;
        }

        public double threshold() {
            return threshold;
        }
    }

    /** The kinds of finding, as the command line and the JSON name them. */
    public enum Kind {
        MISPLACED("misplaced"), DUPLICATE("duplicate"), CLOSE_ROUTES("close-routes"), FEW_UTTERANCES("few-utterances");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The kind named {@code id} ({@code close-routes}; case and {@code _} for {@code -} aside), or null. */
        public static Kind byId(String id) {
            String k = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Kind kind : values()) {
                if (kind.id.equals(k)) {
                    return kind;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /**
     * The thresholds.
     *
     * @param duplicateSimilarity two utterances of two routes at least this similar are a duplicate
     * @param routeSimilarity two routes whose centroids are at least this similar are close
     * @param minUtterances a route with fewer utterances than this is reported
     */
    public record Settings(double duplicateSimilarity, double routeSimilarity, int minUtterances) {
        public static final double DEFAULT_DUPLICATE_SIMILARITY = 0.95;
        public static final double DEFAULT_ROUTE_SIMILARITY = 0.85;
        public static final int DEFAULT_MIN_UTTERANCES = 5;

        public static Settings defaults() {
            return new Settings(DEFAULT_DUPLICATE_SIMILARITY, DEFAULT_ROUTE_SIMILARITY, DEFAULT_MIN_UTTERANCES);
        }
    }

    /** One finding. */
    public sealed interface Finding permits Misplaced, Duplicate, CloseRoutes, FewUtterances {
        Kind kind();
    }

    /** {@code utterance}'s nearest other utterance, {@code neighbour}, is in another route. */
    public record Misplaced(Utterance utterance, Utterance neighbour, double similarity) implements Finding {
        @Override
        public Kind kind() {
            return Kind.MISPLACED;
        }
    }

    /**
     * Two utterances of two routes, {@code first} before {@code second} in input order, that are near duplicates;
     * {@code identical} when they are the same text.
     */
    public record Duplicate(Utterance first, Utterance second, double similarity, boolean identical) implements Finding {
        @Override
        public Kind kind() {
            return Kind.DUPLICATE;
        }
    }

    /** The centroids of two routes, {@code first} before {@code second} in route order, are this similar. */
    public record CloseRoutes(String first, String second, double similarity) implements Finding {
        @Override
        public Kind kind() {
            return Kind.CLOSE_ROUTES;
        }
    }

    /** {@code route} has {@code utterances}, fewer than {@code minimum}. */
    public record FewUtterances(String route, int utterances, int minimum) implements Finding {
        @Override
        public Kind kind() {
            return Kind.FEW_UTTERANCES;
        }
    }

    /**
     * What was found: the findings grouped by kind, in the order of {@link Kind}; within a kind in input order
     * (misplaced by utterance, duplicates by first then second utterance, close routes by first then second route,
     * few utterances by route).
     */
    public record Report(List<String> routes, int utterances, List<Finding> findings) {
        public Report {
            routes = List.copyOf(routes);
            findings = List.copyOf(findings);
        }

        public <T extends Finding> List<T> of(Class<T> type) {
            return findings.stream().filter(type::isInstance).map(type::cast).toList();
        }

        public int count(Kind kind) {
            return (int) findings.stream().filter(f -> f.kind() == kind).count();
        }

        /** Counts per kind, every kind present, in the order of {@link Kind}. */
        public Map<Kind, Integer> counts() {
            Map<Kind, Integer> out = new LinkedHashMap<>();
            for (Kind k : Kind.values()) {
                out.put(k, count(k));
            }
            return out;
        }
    }

    /**
     * Lints {@code routes}, given one vector per utterance in the order of {@link RouteSet#utterances()}. Routes without
     * utterances are reported as having few (when the minimum is above 0) and take no part in the rest.
     */
    public static Report analyse(RouteSet routes, List<float[]> vectors, Settings settings) {
        return analyse(routes.routeNames(), routes.utterances(), vectors, settings);
    }

    /**
     * Lints utterances given with their routes and vectors ({@code vectors.get(i)} is that of {@code utterances.get(i)}).
     * Vectors are normalized here (a copy; the caller's arrays are not touched), so any length will do; they must all
     * have one dimension. {@code routeNames} gives the route order, and may name routes that have no utterance; a
     * route an utterance names and {@code routeNames} does not is added after them.
     */
    public static Report analyse(List<String> routeNames, List<Utterance> utterances, List<float[]> vectors, Settings settings) {
        Objects.requireNonNull(settings, "settings");
        int n = utterances.size();
        if (vectors.size() != n) {
            throw new IllegalArgumentException(n + " utterances but " + vectors.size() + " vectors");
        }
        Map<String, Integer> routeIndex = new LinkedHashMap<>();
        routeNames.forEach(r -> routeIndex.putIfAbsent(r, routeIndex.size()));
        int[] route = new int[n];
        for (int i = 0; i < n; i++) {
            route[i] = routeIndex.computeIfAbsent(utterances.get(i).route(), r -> routeIndex.size());
        }
        List<String> routes = List.copyOf(routeIndex.keySet());
        int dim = n == 0 ? 0 : vectors.get(0).length;
        float[][] unit = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] v = vectors.get(i);
            if (v.length != dim) {
                throw new IllegalArgumentException("vector " + i + " has dimension " + v.length + ", vector 0 has " + dim);
            }
            unit[i] = normalize(v.clone());
        }

        Pairs pairs = pairs(unit, route, settings.duplicateSimilarity());

        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int j = pairs.nearest[i];
            if (j >= 0 && route[j] != route[i]) {
                findings.add(new Misplaced(utterances.get(i), utterances.get(j), pairs.nearestSimilarity[i]));
            }
        }
        findings.addAll(duplicates(utterances, unit, route, pairs));
        findings.addAll(closeRoutes(routes, unit, route, settings.routeSimilarity()));
        int[] sizes = new int[routes.size()];
        for (int r : route) {
            sizes[r]++;
        }
        for (int r = 0; r < routes.size(); r++) {
            if (sizes[r] < settings.minUtterances()) {
                findings.add(new FewUtterances(routes.get(r), sizes[r], settings.minUtterances()));
            }
        }
        return new Report(routes, n, findings);
    }

    /** For every utterance its nearest other one (index and similarity, -1 when alone), and the duplicate pairs. */
    private record Pairs(int[] nearest, float[] nearestSimilarity, long[] duplicates, float[] duplicateSimilarity) {}

    private static Pairs pairs(float[][] unit, int[] route, double duplicateSimilarity) {
        float duplicateThreshold = (float) duplicateSimilarity;
        int n = unit.length;
        int dim = n == 0 ? 0 : unit[0].length;
        int tiles = (n + COLUMNS - 1) / COLUMNS;
        // columns[t][d][c] = unit[t * COLUMNS + c][d]: one array per dimension and tile, indexed like the scores.
        float[][][] columns = new float[tiles][dim][];
        for (int t = 0; t < tiles; t++) {
            int from = t * COLUMNS;
            int width = Math.min(COLUMNS, n - from);
            for (int d = 0; d < dim; d++) {
                float[] c = new float[width];
                for (int k = 0; k < width; k++) {
                    c[k] = unit[from + k][d];
                }
                columns[t][d] = c;
            }
        }
        // Each pair is computed once (j > i) and offered to both sides; every thread keeps its own nearest-so-far
        // for all utterances, merged at the end, so no two threads write one slot.
        ConcurrentLinkedQueue<Nearest> accumulators = new ConcurrentLinkedQueue<>();
        ThreadLocal<Nearest> local = ThreadLocal.withInitial(() -> {
            Nearest a = new Nearest(n);
            accumulators.add(a);
            return a;
        });
        ConcurrentLinkedQueue<PairList> found = new ConcurrentLinkedQueue<>();
        AtomicInteger duplicates = new AtomicInteger();
        int rowTiles = (n + ROWS - 1) / ROWS;
        IntStream.range(0, rowTiles).parallel().forEach(rt -> {
            int from = rt * ROWS;
            int rows = Math.min(ROWS, n - from);
            float[][] s = new float[rows][COLUMNS];
            Nearest acc = local.get();
            PairList mine = new PairList();
            for (int t = from / COLUMNS; t < tiles; t++) {
                int base = t * COLUMNS;
                int width = Math.min(COLUMNS, n - base);
                multiply(unit, from, rows, columns[t], width, s);
                int before = mine.size;
                scan(s, from, rows, base, width, route, duplicateThreshold, acc, mine);
                if (mine.size > before && duplicates.addAndGet(mine.size - before) > MAX_PAIRS) {
                    throw new TooManyPairs(Kind.DUPLICATE, duplicateSimilarity);
                }
            }
            if (mine.size > 0) {
                found.add(mine);
            }
        });
        Nearest all = new Nearest(n);
        for (Nearest a : accumulators) {
            for (int i = 0; i < n; i++) {
                if (a.index[i] >= 0) {
                    all.offer(i, a.index[i], a.similarity[i]);
                }
            }
        }
        PairList pairs = new PairList();
        found.forEach(pairs::addAll);
        return new Pairs(all.index, all.similarity, Arrays.copyOf(pairs.pairs, pairs.size), Arrays.copyOf(pairs.similarity, pairs.size));
    }

    /**
     * {@code s[r][k]} = similarity of utterance {@code from + r} and column {@code k} of the tile. Its own method, small
     * and hot, so that the JIT compiles it early; the innermost loop is the vectorized one.
     */
    private static void multiply(float[][] unit, int from, int rows, float[][] tile, int width, float[][] s) {
        for (int r = 0; r < rows; r++) {
            Arrays.fill(s[r], 0, width, 0f);
        }
        for (int d = 0; d < tile.length; d++) {
            float[] c = tile[d];
            for (int r = 0; r < rows; r++) {
                float q = unit[from + r][d];
                float[] sr = s[r];
                for (int k = 0; k < width; k++) {
                    sr[k] += q * c[k];
                }
            }
        }
    }

    /** Offers each pair (i, j > i) of the tile to both nearest-so-far slots, and keeps the duplicates. */
    private static void scan(float[][] s, int from, int rows, int base, int width, int[] route, float duplicateThreshold, Nearest acc,
            PairList duplicates) {
        int[] accIndex = acc.index;
        float[] accSimilarity = acc.similarity;
        for (int r = 0; r < rows; r++) {
            int i = from + r;
            float[] sr = s[r];
            // i's side: j only grows, so a tie never replaces; j's side: the smaller i wins a tie.
            int best = accIndex[i];
            float bestSimilarity = accSimilarity[i];
            for (int k = Math.max(0, i + 1 - base); k < width; k++) {
                int j = base + k;
                float sim = sr[k];
                if (sim > bestSimilarity || best < 0) {
                    bestSimilarity = sim;
                    best = j;
                }
                if (sim > accSimilarity[j] || (sim == accSimilarity[j] && (accIndex[j] < 0 || i < accIndex[j]))) {
                    accSimilarity[j] = sim;
                    accIndex[j] = i;
                }
                if (sim >= duplicateThreshold && route[j] != route[i]) {
                    duplicates.add(i, j, sim);
                }
            }
            accIndex[i] = best;
            accSimilarity[i] = bestSimilarity;
        }
    }

    /** For each utterance, the most similar other one seen so far; of equally similar ones, the first. */
    private static final class Nearest {
        final int[] index;
        final float[] similarity;

        Nearest(int n) {
            index = new int[n];
            similarity = new float[n];
            Arrays.fill(index, -1);
            Arrays.fill(similarity, Float.NEGATIVE_INFINITY);
        }

        void offer(int i, int j, float sim) {
            if (sim > similarity[i] || (sim == similarity[i] && (index[i] < 0 || j < index[i]))) {
                similarity[i] = sim;
                index[i] = j;
            }
        }
    }

    /** Duplicates by similarity and by identical text, in the order of their first, then second utterance. */
    private static List<Duplicate> duplicates(List<Utterance> utterances, float[][] unit, int[] route, Pairs pairs) {
        Map<Long, Float> bySimilarity = new HashMap<>();
        for (int p = 0; p < pairs.duplicates.length; p++) {
            bySimilarity.put(pairs.duplicates[p], pairs.duplicateSimilarity[p]);
        }
        // The same text in two routes is a duplicate whatever the threshold (and whatever an encoder's rounding).
        Map<String, List<Integer>> byText = new HashMap<>();
        for (int i = 0; i < utterances.size(); i++) {
            byText.computeIfAbsent(utterances.get(i).text(), t -> new ArrayList<>(1)).add(i);
        }
        java.util.Set<Long> identical = new java.util.HashSet<>();
        for (List<Integer> same : byText.values()) {
            for (int a = 0; a < same.size(); a++) {
                for (int b = a + 1; b < same.size(); b++) {
                    int i = same.get(a);
                    int j = same.get(b);
                    if (route[i] != route[j]) {
                        long key = pair(i, j);
                        identical.add(key);
                        bySimilarity.putIfAbsent(key, dot(unit[i], unit[j]));
                    }
                }
            }
        }
        List<Long> keys = new ArrayList<>(bySimilarity.keySet());
        keys.sort(Comparator.naturalOrder());
        List<Duplicate> out = new ArrayList<>(keys.size());
        for (long key : keys) {
            int i = (int) (key >>> 32);
            int j = (int) key;
            out.add(new Duplicate(utterances.get(i), utterances.get(j), bySimilarity.get(key), identical.contains(key)));
        }
        return out;
    }

    private static List<CloseRoutes> closeRoutes(List<String> routes, float[][] unit, int[] route, double threshold) {
        int dim = unit.length == 0 ? 0 : unit[0].length;
        float[][] centroid = new float[routes.size()][dim];
        boolean[] present = new boolean[routes.size()];
        for (int i = 0; i < unit.length; i++) {
            float[] c = centroid[route[i]];
            present[route[i]] = true;
            for (int d = 0; d < dim; d++) {
                c[d] += unit[i][d];
            }
        }
        for (float[] c : centroid) {
            normalize(c);
        }
        List<CloseRoutes> out = new ArrayList<>();
        for (int a = 0; a < routes.size(); a++) {
            for (int b = a + 1; b < routes.size(); b++) {
                if (present[a] && present[b]) {
                    float sim = dot(centroid[a], centroid[b]);
                    if (sim >= (float) threshold) {
                        out.add(new CloseRoutes(routes.get(a), routes.get(b), sim));
                        if (out.size() > MAX_PAIRS) {
                            throw new TooManyPairs(Kind.CLOSE_ROUTES, threshold);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Scales {@code v} to unit length in place (a zero vector stays zero). */
    private static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            double inv = 1.0 / Math.sqrt(sum);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * inv);
            }
        }
        return v;
    }

    /** The same sum, in the same order, as the tiled loop: so an identical pair reports what the tiles computed. */
    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static long pair(int i, int j) {
        return ((long) i << 32) | (j & 0xFFFFFFFFL);
    }

    /** Pairs (i, j) and their similarity, in primitive arrays that grow. */
    private static final class PairList {
        long[] pairs = new long[16];
        float[] similarity = new float[16];
        int size;

        void add(int i, int j, float sim) {
            if (size == pairs.length) {
                pairs = Arrays.copyOf(pairs, size * 2);
                similarity = Arrays.copyOf(similarity, size * 2);
            }
            pairs[size] = pair(i, j);
            similarity[size] = sim;
            size++;
        }

        void addAll(PairList other) {
            for (int p = 0; p < other.size; p++) {
                if (size == pairs.length) {
                    pairs = Arrays.copyOf(pairs, Math.max(size * 2, 16));
                    similarity = Arrays.copyOf(similarity, pairs.length);
                }
                pairs[size] = other.pairs[p];
                similarity[size] = other.similarity[p];
                size++;
            }
        }
    }
}
