package dev.srouter.bench;

import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.qdrant.FakeQdrantServer;
import dev.srouter.index.qdrant.QdrantEndpoint;
import dev.srouter.index.qdrant.QdrantIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calls and wall time of the Qdrant adapter against the Qdrant stand-in with 2 ms of latency per call (a
 * nearby server): read a 10,000-utterance collection, push it, sync a 1% change. The encoder is SyncBench's
 * fast stand-in, so the times are those of the calls.
 *
 * <pre>java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" dev.srouter.bench.QdrantBench [latency-ms]</pre>
 */
public final class QdrantBench {
    private QdrantBench() {}

    public static void main(String[] args) throws Exception {
        int latencyMs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        try (FakeQdrantServer server = FakeQdrantServer.start()) {
            server.latency(Duration.ofMillis(latencyMs));
            SyncBench.HashEncoder encoder = new SyncBench.HashEncoder();
            QdrantIndex index = connect(server);
            LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
            SyncService service = new SyncService(index, encoder, Clock.systemUTC(), SyncService.DEFAULT_BATCH, "bench", m -> {});
            System.out.printf(Locale.ROOT, "Qdrant stand-in, %d ms latency per call%n", latencyMs);

            server.resetCounts();
            long t0 = System.nanoTime();
            index.create(384);
            sync(service, lock, SyncBench.routes(0));
            report("push of 10,000 utterances (create, lease, batches of 500)", t0, server, encoder.texts.get());

            // A new process diffing the in-sync collection: the fast path, then a full read.
            for (boolean fastPath : new boolean[] {true, false}) {
                try (QdrantIndex fresh = connect(server)) {
                    server.resetCounts();
                    long t1 = System.nanoTime();
                    SyncService.Comparison c = new SyncService(fresh, null, Clock.systemUTC(), 500, "bench", m -> {})
                            .compare(SyncBench.routes(0), SyncStrategy.MERGE, fastPath);
                    report(fastPath ? "diff of the in-sync collection, fast path (manifest hash matches)"
                            : "diff reading all " + c.remoteRecords() + " points (target <= ceil(N/1000) + 3 = 13 calls)", t1, server, 0);
                }
            }

            int before = encoder.texts.get();
            server.resetCounts();
            long t2 = System.nanoTime();
            SyncService.Applied applied = sync(service, lock, SyncBench.routes(100));
            report("sync of a 1% change: " + applied.upserted() + " points upserted, " + applied.deleted() + " deleted", t2, server,
                    encoder.texts.get() - before);
            index.close();
        }
    }

    private static QdrantIndex connect(FakeQdrantServer server) {
        return QdrantIndex.connect(QdrantEndpoint.parse(server.url()), null, "bench", null, Clock.systemUTC(), RetryPolicy.defaults());
    }

    private static SyncService.Applied sync(SyncService service, LeaseLock lock, RouteSet local) {
        try (LeaseLock.Held lease = lock.acquire("bench", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, true);
            return service.applyRemote(c.plan(), lease, false);
        }
    }

    private static void report(String what, long t0, FakeQdrantServer server, int embedded) {
        Map<String, Integer> calls = new TreeMap<>(server.callCounts());
        System.out.printf(Locale.ROOT, "%s: %.0f ms, %d calls %s, %d texts embedded%n", what, (System.nanoTime() - t0) / 1e6,
                server.totalCalls(), calls, embedded);
    }
}
