package dev.srouter.bench;

import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncStrategy;
import dev.srouter.encoder.Encoder;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import dev.srouter.index.file.FileIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sync costs on the file index, with a fast deterministic encoder so that the figures are the
 * engine's own (embedding cost is in the routing benchmark): push of 10,000 utterances, diff on
 * the in-sync index (fast path, and full listing), and a sync of a 1% change.
 *
 * <pre>java -cp target/classes:target/test-classes:... dev.srouter.bench.SyncBench</pre>
 */
public final class SyncBench {
    private SyncBench() {}

    static final class HashEncoder implements Encoder {
        final AtomicInteger texts = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String type() {
            return "bench";
        }

        @Override
        public String model() {
            return "hash";
        }

        @Override
        public int dimension() {
            return 384;
        }

        @Override
        public double defaultThreshold() {
            return 0.5;
        }

        @Override
        public List<float[]> encode(List<String> batch, Input input) {
            calls.incrementAndGet();
            texts.addAndGet(batch.size());
            List<float[]> out = new ArrayList<>();
            for (String t : batch) {
                float[] v = new float[384];
                for (int i = 0; i < t.length(); i++) {
                    v[(t.charAt(i) * 31 + i) % 384] += 1;
                }
                out.add(Encoder.normalize(v));
            }
            return out;
        }
    }

    static RouteSet routes(int changedEvery) {
        List<Route> rs = new ArrayList<>();
        for (int r = 0; r < 100; r++) {
            List<String> u = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean changed = changedEvery > 0 && (r * 100 + i) % changedEvery == 0;
                u.add("route " + r + " utterance " + i + (changed ? " (edited)" : ""));
            }
            rs.add(Route.of("route-" + r, u));
        }
        return RouteSet.of(rs);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("srouter-syncbench");
        FileIndex index = new FileIndex(dir.resolve("idx"));
        HashEncoder encoder = new HashEncoder();
        SyncService service = new SyncService(index, encoder, Clock.systemUTC(), SyncService.DEFAULT_BATCH, "bench", m -> {});
        LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));

        long t0 = System.nanoTime();
        index.create(384);
        sync(service, lock, routes(0));
        report("push of 10,000 utterances", t0, encoder, index);

        long t1 = System.nanoTime();
        SyncService.Comparison fast = new SyncService(new FileIndex(dir.resolve("idx")), null, Clock.systemUTC(), 500, "bench", m -> {})
                .compare(routes(0), SyncStrategy.MERGE, true);
        System.out.printf(Locale.ROOT, "diff, in sync, fast path (fresh index object): %.0f ms, fast path %s%n", (System.nanoTime() - t1) / 1e6,
                fast.fastPath());
        long t2 = System.nanoTime();
        SyncService.Comparison full = new SyncService(new FileIndex(dir.resolve("idx")), null, Clock.systemUTC(), 500, "bench", m -> {})
                .compare(routes(0), SyncStrategy.MERGE, false);
        System.out.printf(Locale.ROOT, "diff, in sync, listing all records: %.0f ms (%d records read), in sync %s%n",
                (System.nanoTime() - t2) / 1e6, full.remoteRecords(), full.plan().inSync());

        int textsBefore = encoder.texts.get();
        int writesBefore = index.writeCalls();
        long t3 = System.nanoTime();
        sync(service, lock, routes(100));
        System.out.printf(Locale.ROOT, "sync of a 1%% change (100 edited utterances): %.0f ms, %d texts embedded, %d write calls%n",
                (System.nanoTime() - t3) / 1e6, encoder.texts.get() - textsBefore, index.writeCalls() - writesBefore);
    }

    private static void sync(SyncService service, LeaseLock lock, RouteSet local) {
        try (LeaseLock.Held lease = lock.acquire("bench", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, true);
            service.applyRemote(c.plan(), lease, false);
        }
    }

    private static void report(String what, long t0, HashEncoder encoder, FileIndex index) {
        System.out.printf(Locale.ROOT, "%s: %.0f ms, %d texts embedded in %d encoder calls, %d index write calls%n", what,
                (System.nanoTime() - t0) / 1e6, encoder.texts.get(), encoder.calls.get(), index.writeCalls());
    }
}
