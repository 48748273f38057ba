package dev.srouter.index;

import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncStrategy;
import dev.srouter.encoder.Encoder;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;

/** What the tests of the remote index adapters (Qdrant, Pinecone) share. */
public final class RemoteIndexTesting {
    private RemoteIndexTesting() {}

    /** A port on 127.0.0.1 that nothing listens on (just freed by the OS): where a test points a client to see it fail to connect. */
    public static int unusedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A deterministic unit vector of {@code dim} components; different seeds give different directions. */
    public static float[] unit(int dim, int seed) {
        float[] v = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) Math.sin(seed * 31 + i + 1);
            n += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    /** A whole sync as the CLI runs it (lease, compare, encoder check, apply), in batches of {@code batch}. */
    public static SyncService.Applied sync(VectorIndex index, Encoder encoder, RouteSet local, SyncStrategy strategy, int batch,
            boolean fastPath) {
        SyncService service = new SyncService(index, encoder, Clock.systemUTC(), batch, "test", m -> {});
        try (LeaseLock.Held lease = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(30)).acquire("t", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, strategy, fastPath);
            service.checkEncoder(c, false);
            return service.applyRemote(c.plan(), lease, false);
        }
    }

    /** A throwable with its causes and stack, as printed: to check that no secret appears anywhere in it. */
    public static String printed(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
