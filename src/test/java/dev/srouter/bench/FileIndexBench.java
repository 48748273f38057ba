package dev.srouter.bench;

import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.VectorRecord;
import dev.srouter.index.file.FileIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Times the {@code file:} index at a sync's scale (the figures in docs/file-index.md); tests never assert
 * times. {@code FileIndexBench [DIR] [RECORDS] [DIM] [BATCH]}, defaults: a temporary directory, 10,000 x 384
 * in batches of 1,000. Prints: upsert of all batches, a second upsert of the same records (replacing every
 * one, so a compaction), a paged read back in pages of 1,000 by a new object (a cold cache, as a new
 * process), the first query (which reads the vectors) and later ones.
 */
public final class FileIndexBench {
    private FileIndexBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("srouter-file-bench").resolve("index");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int dim = args.length > 2 ? Integer.parseInt(args[2]) : 384;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        Random random = new Random(1);
        List<VectorRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                v[j] = (float) random.nextGaussian();
                norm += v[j] * v[j];
            }
            for (int j = 0; j < dim; j++) {
                v[j] /= (float) Math.sqrt(norm);
            }
            records.add(new VectorRecord("route " + i % 150, "utterance number " + i + " of the benchmark", v,
                    Map.of("team", "t" + i % 7), List.of()));
        }

        for (int round = 1; round <= 2; round++) {
            FileIndex index = new FileIndex(dir);
            index.create(dim);
            long t0 = System.nanoTime();
            for (int start = 0; start < n; start += batch) {
                index.upsert(records.subList(start, Math.min(n, start + batch)));
            }
            report("upsert " + n + " x " + dim + " in batches of " + batch + (round == 2 ? " again (replaces all)" : ""), t0);
        }

        FileIndex cold = new FileIndex(dir);
        long t0 = System.nanoTime();
        int read = 0;
        String token = null;
        do {
            RecordPage page = cold.read(token, 1_000);
            read += page.records().size();
            token = page.nextPageToken();
        } while (token != null);
        report("read " + read + " records back in pages of 1,000, cold", t0);

        t0 = System.nanoTime();
        cold.query(records.get(0).vector(), 5, Set.of());
        report("first query (loads vectors, builds the search)", t0);
        t0 = System.nanoTime();
        for (int q = 0; q < 100; q++) {
            cold.query(records.get(q).vector(), 5, Set.of());
        }
        report("100 more queries", t0);

        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf(Locale.ROOT, "%-62s %8.1f MB in %s%n", "on disk", bytes / 1e6, dir);
    }

    private static void report(String what, long startNanos) {
        System.out.printf(Locale.ROOT, "%-62s %8.0f ms%n", what, (System.nanoTime() - startNanos) / 1e6);
    }
}
