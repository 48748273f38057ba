package dev.srouter.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child process for {@code EmbeddingCacheTest}: opens the cache, signals it is ready, waits for the
 * go file so that its appends overlap the other child's, then stores its entries in many small
 * {@code putAll} calls. Exits 0 only when nothing was warned and every entry it stored reads back.
 *
 * <p>Usage: {@code CacheWriterMain DIR KEY START COUNT READY_FILE GO_FILE}
 */
public final class CacheWriterMain {
    static final int DIMENSION = 32;
    static final int BATCH = 5;

    private CacheWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String key = args[1];
        int start = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        Path ready = Path.of(args[4]);
        Path go = Path.of(args[5]);
        AtomicInteger warnings = new AtomicInteger();
        try (EmbeddingCache cache = EmbeddingCache.open(dir, key, w -> {
            warnings.incrementAndGet();
            System.err.println("WARN: " + w);
        })) {
            Files.createFile(ready);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    System.err.println("no go file");
                    System.exit(5);
                }
                Thread.sleep(5);
            }
            write(cache, start, count);
            for (int i = start; i < start + count; i++) {
                if (cache.get(text(i)) == null) {
                    System.err.println("missing own entry " + i);
                    System.exit(4);
                }
            }
        }
        System.exit(warnings.get() == 0 ? 0 : 3);
    }

    /** Stores entries {@code start .. start+count-1} in batches of {@link #BATCH}. */
    static void write(EmbeddingCache cache, int start, int count) {
        for (int i = start; i < start + count; i += BATCH) {
            Map<String, float[]> batch = new LinkedHashMap<>();
            for (int j = i; j < Math.min(i + BATCH, start + count); j++) {
                batch.put(text(j), vector(j, DIMENSION));
            }
            cache.putAll(batch);
        }
    }

    static String text(int i) {
        return "utterance number " + i + " \u00e9\u00e8";
    }

    /** A vector whose values depend on {@code i}, with a few awkward bit patterns mixed in. */
    static float[] vector(int i, int dimension) {
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            v[d] = (float) Math.sin(i * 31.0 + d) / (d + 1);
        }
        v[0] = i;
        if (dimension > 2) {
            v[1] = -0.0f;
            v[2] = Float.intBitsToFloat(0x7fc0_0000 | (i & 0xffff)); // a NaN with a payload
        }
        return v;
    }
}
