package dev.srouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Diff;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import dev.srouter.core.SyncStrategy;
import dev.srouter.index.memory.InMemoryIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The side-effecting half of the sync engine against the in-memory reference index. */
class SyncServiceTest {
    private final Clock clock = Clock.systemUTC();

    private static RouteSet routes(int routeCount, int perRoute, Map<String, Object> metadata) {
        List<Route> rs = new ArrayList<>();
        for (int r = 0; r < routeCount; r++) {
            List<String> u = new ArrayList<>();
            for (int i = 0; i < perRoute; i++) {
                u.add("route " + r + " utterance " + i);
            }
            rs.add(new Route("r" + r, u, "route " + r, r == 0 ? 0.4 : null, metadata, List.of()));
        }
        return RouteSet.of(rs);
    }

    private SyncService.Applied sync(InMemoryIndex index, CountingEncoder encoder, RouteSet local, SyncStrategy s) {
        SyncService service = new SyncService(index, encoder, clock, 7, "srouter test", m -> {});
        if (!index.describe().exists()) {
            index.create(encoder.dimension());
        }
        LeaseLock lock = new LeaseLock(index, clock, Duration.ofSeconds(30));
        try (LeaseLock.Held lease = lock.acquire("test", Duration.ZERO)) {
            SyncService.Comparison c = service.compare(local, s, true);
            service.checkEncoder(c, false);
            return service.applyRemote(c.plan(), lease, false);
        }
    }

    @Test
    void pushThenEverySideIsEqualAndTheNextDiffTakesTheFastPath() {
        InMemoryIndex index = new InMemoryIndex();
        CountingEncoder encoder = new CountingEncoder("m");
        RouteSet local = routes(5, 10, Map.of("team", "a"));
        SyncService.Applied applied = sync(index, encoder, local, SyncStrategy.LOCAL);
        assertEquals(50, applied.upserted());
        assertEquals(50, encoder.texts.get());
        assertEquals(50, index.describe().count());
        SyncService service = new SyncService(index, null, clock, 7, "t", m -> {});
        SyncService.Comparison fast = service.compare(local, SyncStrategy.MERGE, true);
        assertTrue(fast.fastPath() && fast.plan().inSync(), "manifest hash matches: no listing");
        SyncService.Comparison full = service.compare(local, SyncStrategy.MERGE, false);
        assertTrue(full.plan().inSync(), Diff.between(local, full.remote()).toString());
        assertEquals(0.4, full.remote().route("r0").orElseThrow().scoreThreshold(), "route-level attributes come back from the manifest");
    }

    @Test
    void anAttributeOnlyChangeRewritesPayloadsWithoutEmbedding() {
        InMemoryIndex index = new InMemoryIndex();
        CountingEncoder encoder = new CountingEncoder("m");
        sync(index, encoder, routes(3, 4, Map.of("team", "a")), SyncStrategy.LOCAL);
        int embeddedBefore = encoder.texts.get();
        SyncService.Applied applied = sync(index, encoder, routes(3, 4, Map.of("team", "b")), SyncStrategy.LOCAL);
        assertEquals(embeddedBefore, encoder.texts.get(), "no text embedded for a metadata change");
        assertEquals(0, applied.upserted());
        assertEquals(12, applied.payloadRewritten());
        RouteSet remote = RemoteReader.read(index).routes();
        assertEquals(Map.of("team", "b"), remote.route("r1").orElseThrow().metadata());
    }

    @Test
    void anInterruptedSyncConvergesWhenRunAgain() {
        InMemoryIndex index = new InMemoryIndex();
        CountingEncoder encoder = new CountingEncoder("m");
        sync(index, encoder, routes(4, 5, Map.of()), SyncStrategy.LOCAL);
        RouteSet next = routes(6, 8, Map.of("v", 2));
        index.failAfterWrites(4); // a few batches get through, then the connection drops
        SrouterException e = assertThrows(SrouterException.class, () -> sync(index, encoder, next, SyncStrategy.LOCAL));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        RouteSet partial = RemoteReader.read(index).routes();
        assertTrue(!Diff.between(next, partial).isEmpty(), "the first run stopped part way");
        // the lease of the crashed run is still there: a new run waits for it or, here, breaks it as unlock would
        new LeaseLock(index, clock, Duration.ofSeconds(30)).breakLock(true);
        sync(index, encoder, next, SyncStrategy.LOCAL);
        RouteSet after = RemoteReader.read(index).routes();
        assertTrue(Diff.between(next, after).isEmpty(), Diff.between(next, after).toString());
        assertEquals(48, index.describe().count(), "nothing lost or duplicated");
    }

    @Test
    void aRemoteWrittenWithAnotherEncoderStopsBeforeAnyWrite() {
        InMemoryIndex index = new InMemoryIndex();
        sync(index, new CountingEncoder("one"), routes(2, 2, Map.of()), SyncStrategy.LOCAL);
        int writes = index.writeCalls();
        CountingEncoder other = new CountingEncoder("two");
        SrouterException e = assertThrows(SrouterException.class, () -> sync(index, other, routes(3, 2, Map.of()), SyncStrategy.LOCAL));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("test:one") && e.getMessage().contains("test:two"), e.getMessage());
        assertEquals(0, other.texts.get());
        // only the lease was written (and released: acquire 2 writes, release 3), no record
        assertEquals(2, RemoteReader.read(index).routes().routes().size());
        assertTrue(index.writeCalls() - writes <= 5, "lease writes only: " + (index.writeCalls() - writes));
    }

    @Test
    void anInterruptedSyncOnTheFileIndexConvergesToo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        dev.srouter.index.file.FileIndex index = new dev.srouter.index.file.FileIndex(dir.resolve("idx"));
        CountingEncoder encoder = new CountingEncoder("m");
        SyncService service = new SyncService(index, encoder, clock, 7, "srouter test", m -> {});
        index.create(encoder.dimension());
        RouteSet next = routes(6, 8, Map.of("v", 2));
        LeaseLock lock = new LeaseLock(index, clock, Duration.ofSeconds(30));
        index.failAfterWrites(5);
        assertThrows(SrouterException.class, () -> {
            try (LeaseLock.Held lease = lock.acquire("first", Duration.ZERO)) {
                service.applyRemote(service.compare(next, SyncStrategy.LOCAL, true).plan(), lease, false);
            }
        });
        lock.breakLock(true);
        try (LeaseLock.Held lease = lock.acquire("second", Duration.ZERO)) {
            service.applyRemote(service.compare(next, SyncStrategy.LOCAL, true).plan(), lease, false);
        }
        dev.srouter.index.file.FileIndex reopened = new dev.srouter.index.file.FileIndex(dir.resolve("idx"));
        assertTrue(Diff.between(next, RemoteReader.read(reopened).routes()).isEmpty());
        assertEquals(48, reopened.describe().count());
    }
}
