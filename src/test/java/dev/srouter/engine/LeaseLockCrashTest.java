package dev.srouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Hit;
import dev.srouter.index.FaultInjectable;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.file.FileIndex;
import dev.srouter.index.file.FileIndex.CrashPoint;
import dev.srouter.index.RetryPolicy;
import dev.srouter.index.memory.InMemoryIndex;
import dev.srouter.index.qdrant.FakeQdrantServer;
import dev.srouter.index.qdrant.QdrantEndpoint;
import dev.srouter.index.qdrant.QdrantIndex;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A process killed at any write of the lock protocol (acquire: lease, sr_lock; renew: lease; release:
 * lease, sr_lock, lease) must never leave semantic-router's {@code sr_lock "True"} with no lease record
 * of srouter beside it, and the next acquisition must proceed once the dead holder's lease has expired,
 * with no {@code unlock}. The failing write is the index's own injected fault (the file index stops it at
 * each step of its commit); after it the process is dead: it writes nothing more.
 */
class LeaseLockCrashTest {
    private static final Duration TTL = Duration.ofSeconds(60);
    /** Writes of one whole run: acquire 2, renew 1, release 3. */
    private static final int PROTOCOL_WRITES = 6;

    @TempDir
    Path temp;

    enum Backend {
        MEMORY, FILE_BEFORE_WRITE, FILE_TEMP_WRITTEN, FILE_COMMITTED,
        /** The Qdrant stand-in, failing the gRPC upsert of the write (not retried: INVALID_ARGUMENT). */
        QDRANT
    }

    private static final java.util.concurrent.atomic.AtomicInteger COLLECTIONS = new java.util.concurrent.atomic.AtomicInteger();
    private FakeQdrantServer qdrant;

    private final List<VectorIndex> opened = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopQdrant() {
        opened.forEach(VectorIndex::close);
        if (qdrant != null) {
            qdrant.close();
        }
    }

    private VectorIndex qdrantIndex(String collection) {
        VectorIndex index = QdrantIndex.connect(QdrantEndpoint.parse(qdrant.url()), null, collection, null, java.time.Clock.systemUTC(),
                new RetryPolicy(Duration.ofSeconds(5), 4, Duration.ofMillis(2), Duration.ofMillis(20)));
        opened.add(index);
        return index;
    }

    static Stream<Arguments> kills() {
        List<Arguments> all = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (int write = 0; write <= PROTOCOL_WRITES; write++) {
                all.add(Arguments.of(b, write));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, killed at lock write {1}")
    @MethodSource("kills")
    void aHolderKilledAtAnyLockWriteLeavesALockThatExpires(Backend backend, int killedAt) {
        VectorIndex index;
        Consumer<FaultInjectable> arm;
        Path dir = temp.resolve("index");
        String collection = "lock-" + COLLECTIONS.incrementAndGet();
        switch (backend) {
            case MEMORY -> {
                index = new InMemoryIndex();
                arm = f -> f.failAfterWrites(0);
            }
            case QDRANT -> {
                qdrant = FakeQdrantServer.start();
                index = qdrantIndex(collection);
                arm = f -> qdrant.failCall("Points/Upsert", 1, Status.Code.INVALID_ARGUMENT);
            }
            default -> {
                index = new FileIndex(dir);
                CrashPoint point = CrashPoint.valueOf(backend.name().substring("FILE_".length()));
                arm = f -> ((FileIndex) f).failAfterWrites(0, point);
            }
        }
        index.create(2);
        LeaseLockTest.ManualClock clock = new LeaseLockTest.ManualClock();

        KilledAt dying = new KilledAt(index, killedAt, arm);
        try {
            LeaseLock.Held held = new LeaseLock(dying, clock, TTL).acquire("dying", Duration.ZERO);
            clock.now.set(clock.now.get().plusSeconds(20));
            held.renew();
            held.close();
        } catch (RuntimeException killed) {
            // the process is gone from here on
        }
        assertEquals(killedAt < PROTOCOL_WRITES, dying.dead, "the kill fell on a write of the protocol");

        // Another process, with its own view of the index.
        VectorIndex other = switch (backend) {
            case MEMORY -> index;
            case QDRANT -> qdrantIndex(collection);
            default -> new FileIndex(dir);
        };
        LeaseLock next = new LeaseLock(other, clock, TTL);
        LeaseLock.State left = next.state();
        assertFalse(left.srLocked() && left.holder().filter(LeaseLock.Holder::ours).isEmpty(),
                "sr_lock \"True\" with no srouter lease beside it (a lock with no expiry): " + left);

        clock.now.set(clock.now.get().plus(TTL).plusSeconds(1));
        try (LeaseLock.Held taken = next.acquire("next", Duration.ZERO)) {
            assertEquals("next", taken.holder().owner());
            assertEquals("True", other.readConfig(LeaseLock.SR_LOCK_FIELD).orElseThrow().value(), "semantic-router sees it locked");
        }
        assertEquals("False", other.readConfig(LeaseLock.SR_LOCK_FIELD).orElseThrow().value());
        assertEquals("", other.readConfig(LeaseLock.LEASE_FIELD).orElseThrow().value(), "a clean release leaves no lease record");
    }

    @ParameterizedTest(name = "unlock killed at write {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 2})
    void anUnlockKilledPartWayLeavesALockThatExpires(int killedAt) {
        InMemoryIndex index = new InMemoryIndex();
        index.create(2);
        LeaseLockTest.ManualClock clock = new LeaseLockTest.ManualClock();
        new LeaseLock(index, clock, TTL).acquire("crashed", Duration.ZERO); // never released
        KilledAt dying = new KilledAt(index, killedAt, f -> f.failAfterWrites(0));
        try {
            new LeaseLock(dying, clock, TTL).breakLock(true);
        } catch (RuntimeException killed) {
            // the unlock process is gone
        }
        LeaseLock next = new LeaseLock(index, clock, TTL);
        LeaseLock.State left = next.state();
        assertFalse(left.srLocked() && left.holder().filter(LeaseLock.Holder::ours).isEmpty(),
                "sr_lock \"True\" with no srouter lease beside it: " + left);
        clock.now.set(clock.now.get().plus(TTL).plusSeconds(1));
        next.acquire("next", Duration.ZERO).close();
    }

    /** The index as a process sees it that is killed at its {@code killedAt}-th write: that write fails by the index's own fault hook, and nothing follows. */
    static final class KilledAt implements VectorIndex {
        private final VectorIndex real;
        private final int killedAt;
        private final Consumer<FaultInjectable> arm;
        private int writes;
        volatile boolean dead;

        KilledAt(VectorIndex real, int killedAt, Consumer<FaultInjectable> arm) {
            this.real = real;
            this.killedAt = killedAt;
            this.arm = arm;
        }

        private synchronized void beforeWrite() {
            if (dead) {
                throw new IllegalStateException("the process was killed");
            }
            if (writes++ == killedAt) {
                arm.accept(real instanceof FaultInjectable f ? f : null); // this write fails as the index's fault hook makes it, and is the last
                dead = true;
            }
        }

        private <T> T write(java.util.function.Supplier<T> call) {
            beforeWrite();
            return call.get();
        }

        @Override
        public Optional<ConfigEntry> readConfig(String field) {
            if (dead) {
                throw new IllegalStateException("the process was killed");
            }
            return real.readConfig(field);
        }

        @Override
        public void writeConfig(String field, String value) {
            write(() -> {
                real.writeConfig(field, value);
                return null;
            });
        }

        @Override
        public boolean compareAndSetConfig(String field, String expected, String value) {
            return write(() -> real.compareAndSetConfig(field, expected, value));
        }

        @Override
        public IndexInfo describe() {
            return real.describe();
        }

        @Override
        public void create(int dimension) {
            real.create(dimension);
        }

        @Override
        public RecordPage read(String pageToken, int pageSize) {
            return real.read(pageToken, pageSize);
        }

        @Override
        public void upsert(List<VectorRecord> records) {
            real.upsert(records);
        }

        @Override
        public void updatePayload(List<StoredRecord> records) {
            real.updatePayload(records);
        }

        @Override
        public void delete(Collection<RecordKey> keys) {
            real.delete(keys);
        }

        @Override
        public List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
            return real.query(vector, topK, routeFilter);
        }

        @Override
        public String describeLocation() {
            return real.describeLocation();
        }
    }
}
