package dev.srouter.bench;

import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import dev.srouter.index.pinecone.FakePineconeServer;
import dev.srouter.index.pinecone.PineconeIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calls and wall time of the Pinecone adapter against the Pinecone stand-in with 2 ms of latency per call:
 * read a 10,000-utterance namespace, push it, sync a 1% change. Writes become visible at once here (the
 * visibility wait then costs one fetch round); the lease's settle delay is set to 0 so that the times are
 * those of the calls. The encoder is SyncBench's fast stand-in.
 *
 * <pre>java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" dev.srouter.bench.PineconeBench [latency-ms]</pre>
 */
public final class PineconeBench {
    private PineconeBench() {}

    public static void main(String[] args) throws Exception {
        int latencyMs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        try (FakePineconeServer server = FakePineconeServer.start()) {
            server.latency(Duration.ofMillis(latencyMs));
            SyncBench.HashEncoder encoder = new SyncBench.HashEncoder();
            PineconeIndex index = connect(server);
            LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
            SyncService service = new SyncService(index, encoder, Clock.systemUTC(), SyncService.DEFAULT_BATCH, "bench", m -> {});
            System.out.printf(Locale.ROOT, "Pinecone stand-in, %d ms latency per call%n", latencyMs);

            server.resetCounts();
            long t0 = System.nanoTime();
            index.create(384);
            sync(service, lock, SyncBench.routes(0));
            report("push of 10,000 utterances (create, lease, batches of 500, visibility check)", t0, server, encoder.texts.get());

            for (boolean fastPath : new boolean[] {true, false}) {
                try (PineconeIndex fresh = connect(server)) {
                    server.resetCounts();
                    long t1 = System.nanoTime();
                    SyncService.Comparison c = new SyncService(fresh, null, Clock.systemUTC(), 500, "bench", m -> {})
                            .compare(SyncBench.routes(0), SyncStrategy.MERGE, fastPath);
                    report(fastPath ? "diff of the in-sync namespace, fast path (manifest hash matches)"
                            : "diff reading all " + c.remoteRecords() + " vectors (target: 10 list pages + 10 fetches + 3 = 23 calls; "
                                    + "semantic-router: about N + N/100 = 10,100)", t1, server, 0);
                }
            }

            int before = encoder.texts.get();
            server.resetCounts();
            long t2 = System.nanoTime();
            SyncService.Applied applied = sync(service, lock, SyncBench.routes(100));
            report("sync of a 1% change: " + applied.upserted() + " vectors upserted, " + applied.deleted() + " deleted", t2, server,
                    encoder.texts.get() - before);
            index.close();
        }
    }

    private static PineconeIndex connect(FakePineconeServer server) {
        return PineconeIndex.connect(FakePineconeServer.DEFAULT_API_KEY, server.controlUrl(), "bench", null, Clock.systemUTC(),
                PineconeIndex.Settings.defaults().withSettleDelay(Duration.ZERO));
    }

    private static SyncService.Applied sync(SyncService service, LeaseLock lock, RouteSet local) {
        try (LeaseLock.Held lease = lock.acquire("bench", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, SyncStrategy.LOCAL, true);
            return service.applyRemote(c.plan(), lease, false);
        }
    }

    private static void report(String what, long t0, FakePineconeServer server, int embedded) {
        Map<String, Integer> calls = new TreeMap<>(server.callCounts());
        System.out.printf(Locale.ROOT, "%s: %.0f ms, %d calls %s, %d texts embedded%n", what, (System.nanoTime() - t0) / 1e6,
                server.totalCalls(), calls, embedded);
    }
}
