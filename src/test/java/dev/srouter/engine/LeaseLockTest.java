package dev.srouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.index.memory.InMemoryIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LeaseLockTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-25T10:00:00Z"));

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static InMemoryIndex index() {
        InMemoryIndex index = new InMemoryIndex();
        index.create(4);
        return index;
    }

    @Test
    void aSecondHolderWaitsThenFailsNamingTheFirst() {
        InMemoryIndex index = index();
        Clock clock = Clock.systemUTC();
        LeaseLock lock = new LeaseLock(index, clock, Duration.ofSeconds(60));
        try (LeaseLock.Held first = lock.acquire("alice", Duration.ZERO)) {
            assertEquals("True", index.readConfig(LeaseLock.SR_LOCK_FIELD).orElseThrow().value(), "semantic-router sees it locked");
            SrouterException e = assertThrows(SrouterException.class, () -> lock.acquire("bob", Duration.ofMillis(300)));
            assertEquals(ExitCode.LOCKED, e.exitCode());
            assertTrue(e.getMessage().contains("alice"), e.getMessage());
        }
        assertEquals("False", index.readConfig(LeaseLock.SR_LOCK_FIELD).orElseThrow().value());
        try (LeaseLock.Held second = lock.acquire("bob", Duration.ZERO)) {
            assertEquals("bob", second.holder().owner());
        }
    }

    @Test
    void anExpiredLeaseOfACrashedHolderIsTakenOver() {
        InMemoryIndex index = index();
        ManualClock clock = new ManualClock();
        LeaseLock lock = new LeaseLock(index, clock, Duration.ofSeconds(60));
        LeaseLock.Held crashed = lock.acquire("crashed", Duration.ZERO);
        // the process dies: no release, no renewal
        clock.now.set(clock.now.get().plusSeconds(61));
        try (LeaseLock.Held next = lock.acquire("next", Duration.ZERO)) {
            assertEquals("next", next.holder().owner());
            crashed.renew();
            assertThrows(SrouterException.class, crashed::ensureHeld, "the old holder learns it lost the lease");
        }
    }

    @Test
    void twoRacersNeverBothHoldTheLease() throws Exception {
        InMemoryIndex index = index();
        LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
        AtomicReference<Integer> winners = new AtomicReference<>(0);
        Thread[] threads = new Thread[8];
        java.util.List<LeaseLock.Held> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = new Thread(() -> {
                try {
                    held.add(lock.acquire("racer-" + n, Duration.ZERO));
                    winners.updateAndGet(w -> w + 1);
                } catch (SrouterException e) {
                    // lost the race
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, winners.get());
        held.forEach(LeaseLock.Held::close);
    }

    @Test
    void unlockRefusesALiveLeaseUnlessForcedAndBreaksSemanticRoutersLock() {
        InMemoryIndex index = index();
        LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
        LeaseLock.Held live = lock.acquire("alice", Duration.ZERO);
        SrouterException e = assertThrows(SrouterException.class, () -> lock.breakLock(false));
        assertEquals(ExitCode.LOCKED, e.exitCode());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("alice", lock.breakLock(true).orElseThrow().owner());
        assertTrue(lock.state().free(Instant.now()));
        live.close();

        index.writeConfig(LeaseLock.SR_LOCK_FIELD, "True"); // a Python client holds its boolean lock
        assertFalse(lock.state().free(Instant.now()));
        assertThrows(SrouterException.class, () -> lock.acquire("bob", Duration.ZERO));
        lock.breakLock(false); // no expiry to wait for: a stale sr_lock is breakable
        assertTrue(lock.state().free(Instant.now()));
    }

    /** A lease as another process wrote it: {@code pid} on {@code host}, live for an hour. */
    private static void leaseOf(InMemoryIndex index, String host, long pid) {
        Instant now = Instant.now();
        LeaseLock.Holder h = new LeaseLock.Holder("ci@" + host, host, pid, "token-" + pid, now, now.plus(Duration.ofHours(1)));
        index.writeConfig(LeaseLock.LEASE_FIELD, h.toJson());
        index.writeConfig(LeaseLock.SR_LOCK_FIELD, "True");
    }

    @Test
    void aLeaseOfADeadProcessOnThisHostIsStaleAtOnceButNotOneOnAnotherHost() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long deadPid = finished.pid();
        String here = LeaseLock.localHost();
        assertFalse(here.isEmpty(), "this host has a name");
        InMemoryIndex dead = index();
        leaseOf(dead, here, deadPid);
        try (LeaseLock.Held next = new LeaseLock(dead, Clock.systemUTC(), Duration.ofSeconds(60)).acquire("next", Duration.ZERO)) {
            assertEquals("next", next.holder().owner(), "a dead holder on this host is not waited for");
            assertEquals(here, next.holder().host());
        }

        InMemoryIndex alive = index();
        leaseOf(alive, here, ProcessHandle.current().pid());
        SrouterException e = assertThrows(SrouterException.class,
                () -> new LeaseLock(alive, Clock.systemUTC(), Duration.ofSeconds(60)).acquire("next", Duration.ZERO));
        assertTrue(e.getMessage().contains("ci@" + here), e.getMessage());

        InMemoryIndex elsewhere = index();
        leaseOf(elsewhere, "another-host-" + here, deadPid);
        assertThrows(SrouterException.class, () -> new LeaseLock(elsewhere, Clock.systemUTC(), Duration.ofSeconds(60)).acquire("next", Duration.ZERO),
                "a pid of another host says nothing here: its lease is waited out");
    }

    @Test
    void aWaitIsReportedWithTheHolderThenAsProgress() {
        InMemoryIndex index = index();
        LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ofSeconds(60));
        java.util.List<String> notices = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (LeaseLock.Held first = lock.acquire("alice@build-7", Duration.ZERO)) {
            assertThrows(SrouterException.class, () -> lock.acquire("bob", Duration.ofMillis(400),
                    (state, now, waited, isFirst) -> notices.add((isFirst ? "first " : "again ") + LeaseLock.describeHolder(state, now)),
                    Duration.ofMillis(100), Duration.ofMillis(100)));
        }
        assertTrue(notices.size() >= 2, notices.toString());
        assertTrue(notices.get(0).startsWith("first alice@build-7 (pid " + ProcessHandle.current().pid() + " on " + LeaseLock.localHost() + ") until "), notices.toString());
        assertTrue(notices.stream().skip(1).allMatch(n -> n.startsWith("again alice@build-7")), notices.toString());
    }
}
