package dev.srouter.index.file;

import dev.srouter.index.VectorIndex.VectorRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A second process for {@link FileIndexMultiProcessTest}: the file index must stay consistent when two
 * JVMs use it at once, or when one is killed mid-write, and only separate processes exercise the file
 * locks (within one JVM a lock per directory serializes everything first).
 *
 * <pre>
 * upsert DIR PREFIX COUNT BATCH      upsert records PREFIX-0 .. PREFIX-(COUNT-1) of route PREFIX, BATCH per call
 * cas DIR NAME FIELDS START_FILE     wait for START_FILE, then compareAndSetConfig(race-i, null, NAME) for each field,
 *                                    printing "i won" or "i lost"
 * </pre>
 */
public final class FileIndexWorker {
    static final int DIM = 8;

    private FileIndexWorker() {}

    public static void main(String[] args) throws Exception {
        FileIndex index = new FileIndex(Path.of(args[1]));
        switch (args[0]) {
            case "upsert" -> {
                String prefix = args[2];
                int count = Integer.parseInt(args[3]);
                int batch = Integer.parseInt(args[4]);
                index.create(DIM);
                for (int start = 0; start < count; start += batch) {
                    List<VectorRecord> records = new ArrayList<>();
                    for (int i = start; i < Math.min(count, start + batch); i++) {
                        records.add(record(prefix, i));
                    }
                    index.upsert(records);
                }
            }
            case "cas" -> {
                String name = args[2];
                int fields = Integer.parseInt(args[3]);
                Path start = Path.of(args[4]);
                while (!Files.exists(start)) {
                    Thread.onSpinWait();
                }
                for (int i = 0; i < fields; i++) {
                    System.out.println(i + (index.compareAndSetConfig("race-" + i, null, name) ? " won" : " lost"));
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.out.flush();
    }

    /** Record {@code i} of a writer: route PREFIX, utterance PREFIX-i, a vector that only depends on both. */
    static VectorRecord record(String prefix, int i) {
        String utterance = prefix + "-" + i;
        return new VectorRecord(prefix, utterance, vector(utterance), Map.of("writer", prefix), List.of());
    }

    static float[] vector(String text) {
        Random random = new Random(text.hashCode());
        float[] v = new float[DIM];
        double norm = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
