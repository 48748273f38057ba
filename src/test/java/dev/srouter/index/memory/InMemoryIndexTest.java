package dev.srouter.index.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex.ConfigEntry;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the in-memory index adds to the contract: the test hooks sync tests rely on, and thread safety. */
class InMemoryIndexTest {

    private static VectorRecord record(String utterance) {
        return new VectorRecord("r", utterance, new float[] {1, 0}, Map.of(), List.of());
    }

    @Test
    void theWriteAfterNSuccessesFailsOnceLikeALostConnection() {
        InMemoryIndex index = new InMemoryIndex();
        index.create(2);
        index.failAfterWrites(2);
        index.upsert(List.of(record("a")));
        index.upsert(List.of(record("b")));
        SrouterException e = assertThrows(SrouterException.class, () -> index.upsert(List.of(record("c"))));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals(2, index.describe().count(), "the failed write wrote nothing");
        index.upsert(List.of(record("c")));
        assertEquals(3, index.describe().count(), "the failure fires once; a rerun succeeds");
    }

    @Test
    void callsAreCountedFailedOnesIncluded() {
        InMemoryIndex index = new InMemoryIndex();
        index.create(2);
        index.upsert(List.of(record("a")));
        index.failAfterWrites(0);
        assertThrows(SrouterException.class, () -> index.writeConfig("sr_hash", "h"));
        index.read(null, 10);
        index.describe();
        index.readConfig("sr_hash");
        assertEquals(3, index.writeCalls());
        assertEquals(3, index.readCalls());
    }

    @Test
    void aNegativeCountDisarms() {
        InMemoryIndex index = new InMemoryIndex();
        index.failAfterWrites(0);
        index.failAfterWrites(-1);
        index.create(2);
        assertEquals(2, index.describe().dimension());
    }

    @Test
    void configEntriesAreStampedByTheClock() {
        Clock clock = Clock.fixed(Instant.parse("2025-01-31T09:15:02.123456789Z"), ZoneOffset.UTC);
        InMemoryIndex index = new InMemoryIndex("t", clock);
        index.create(2);
        index.writeConfig("sr_hash", "h");
        assertEquals(new ConfigEntry("sr_hash", "h", "2025-01-31T09:15:02.123456+00:00"), index.readConfig("sr_hash").orElseThrow());
    }

    @Test
    void aForeignPageTokenIsRejected() {
        InMemoryIndex index = new InMemoryIndex();
        index.create(2);
        assertThrows(SrouterException.class, () -> index.read("not a token!", 10));
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        InMemoryIndex index = new InMemoryIndex();
        index.create(2);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger casWins = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    index.upsert(List.of(record(thread + "-" + i)));
                    if (index.compareAndSetConfig("sr_lock", null, "thread " + thread)) {
                        casWins.incrementAndGet();
                    }
                    index.query(new float[] {1, 0}, 3, java.util.Set.of());
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(1600, index.describe().count());
        assertEquals(1, casWins.get(), "one compare-and-set from absent wins");
    }
}
