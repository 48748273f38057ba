package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.engine.LeaseLock;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.file.FileIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push to a file index, run as the built jar, stopped while it writes: by SIGTERM and by Ctrl-C's SIGINT it
 * releases its lease after the write in flight and exits 143 / 130; killed outright (SIGKILL) it leaves its
 * lease, which the next sync on this host takes at once because the holder's pid is dead. Either way the next
 * sync runs with {@code --lock-timeout 0}. Every upsert is slowed by a hidden test property of the file index.
 */
class LockSignalsIT {
    @TempDir
    Path work;

    @TempDir
    static Path cache;

    private Path routes;
    private Path idx;

    /** Starts a slow push of the example routes, one record per write call. */
    private Process slowPush() throws Exception {
        routes = work.resolve("routes.yaml");
        Files.copy(Path.of(JarIT.ROUTES), routes);
        idx = work.resolve("idx");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsrouter.test.file-index.upsert-delay-ms=400", "-jar", JarIT.JAR.toString(),
                "push", "-r", routes.toString(), "--index", "file:" + idx, "--yes", "--batch-size", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("SROUTER_CACHE_DIR", cache.toString());
        pb.environment().remove("SROUTER_ROUTES");
        pb.redirectOutput(work.resolve("push.out").toFile()).redirectError(work.resolve("push.err").toFile());
        Process p = pb.start();
        // Mid-sync: its lease is on the index and some records, not all, are written.
        awaitTrue(() -> lease(p.pid()).isPresent() && records() > 0, p, "the push to hold the lease and write a record");
        return p;
    }

    private Optional<LeaseLock.Holder> lease(long pid) {
        if (!Files.exists(idx.resolve("collection.json"))) {
            return Optional.empty();
        }
        try (VectorIndex index = new FileIndex(idx)) {
            return new LeaseLock(index, java.time.Clock.systemUTC(), java.time.Duration.ZERO).state().holder()
                    .filter(h -> h.pid() == pid);
        }
    }

    private long records() {
        try (VectorIndex index = new FileIndex(idx)) {
            return index.describe().count();
        }
    }

    private String lockEntry(String field) {
        try (VectorIndex index = new FileIndex(idx)) {
            return index.readConfig(field).map(VectorIndex.ConfigEntry::value).orElse(null);
        }
    }

    private void awaitTrue(BooleanSupplier condition, Process p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("waited in vain for " + what + " (alive " + p.isAlive() + ")\n" + output());
            }
            Thread.sleep(50);
        }
    }

    private String output() throws Exception {
        return "--- push stdout ---\n" + Files.readString(work.resolve("push.out")) + "--- push stderr ---\n"
                + Files.readString(work.resolve("push.err"));
    }

    private int exitOf(Process p) throws Exception {
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the push did not stop\n" + output());
        }
        return p.exitValue();
    }

    /** The next sync must not wait for the stopped push's lock: with --lock-timeout 0 it would exit 3. */
    private void nextSyncRunsAtOnce() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JarIT.jar("push", "-r", routes.toString(), "--index", "file:" + idx, "--yes", "--lock-timeout", "0"))
                .directory(work.toFile());
        pb.environment().put("SROUTER_CACHE_DIR", cache.toString());
        pb.environment().remove("SROUTER_ROUTES");
        pb.redirectOutput(work.resolve("next.out").toFile()).redirectError(work.resolve("next.err").toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the next push did not end");
        }
        JarIT.Run next = new JarIT.Run(p.exitValue(), Files.readString(work.resolve("next.out")), Files.readString(work.resolve("next.err")));
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.out().contains("synced"), next.toString());
        assertEquals("False", lockEntry(LeaseLock.SR_LOCK_FIELD), next.toString());
    }

    private void assertReleasedMidway(Process p, int exit, int expectedExit) throws Exception {
        assertEquals(expectedExit, exit, output());
        assertTrue(records() < 36, "stopped part way, not after all 36 records: " + records() + "\n" + output());
        assertEquals("", lockEntry(LeaseLock.LEASE_FIELD), "the lease was released\n" + output());
        assertEquals("False", lockEntry(LeaseLock.SR_LOCK_FIELD), "sr_lock was cleared\n" + output());
    }

    @Test
    void sigtermReleasesTheLeaseAfterTheWriteInFlight() throws Exception {
        Process p = slowPush();
        p.destroy(); // SIGTERM
        assertReleasedMidway(p, exitOf(p), 143);
        nextSyncRunsAtOnce();
    }

    @Test
    void ctrlCReleasesTheLeaseAfterTheWriteInFlight() throws Exception {
        Process p = slowPush();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -INT");
        assertReleasedMidway(p, exitOf(p), 130);
        nextSyncRunsAtOnce();
    }

    @Test
    void aKilledHolderOnThisHostIsNotWaitedFor() throws Exception {
        Process p = slowPush();
        long pid = p.pid();
        p.destroyForcibly(); // SIGKILL: no hook runs, the lease stays
        exitOf(p);
        assertTrue(lease(pid).filter(h -> h.ours()).isPresent(), "the killed push left its lease\n" + output());
        assertEquals("True", lockEntry(LeaseLock.SR_LOCK_FIELD));
        nextSyncRunsAtOnce();
    }
}
