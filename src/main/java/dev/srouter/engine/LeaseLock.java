package dev.srouter.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lease on a remote index, held for the whole of a sync: who holds it (owner, host, pid, a
 * random token) and until when. It is taken with the index's compare-and-set on a config
 * entry, renewed in the background while the sync runs, and taken over once stale (expired, or
 * held by a process of this host that is no longer alive), so a crashed holder blocks others
 * only until its lease runs out.
 *
 * <p>semantic-router's own lock is the config entry {@code sr_lock} = {@code "True"}/{@code
 * "False"}, with no owner and no expiry; it is kept up to date for Python clients, and a
 * {@code "True"} without a lease record of ours is treated as a lock held by semantic-router.
 *
 * <p>The two entries are separate writes, so their order is what keeps a process killed between
 * any two of them from leaving {@code sr_lock "True"} with no lease beside it, the lock with no
 * expiry that nobody could tell from a Python client's:
 * <ul>
 *   <li>acquire: the lease with its expiry (compare-and-set), then {@code sr_lock "True"};
 *   <li>renew: the lease alone (compare-and-set);
 *   <li>release: the lease rewritten as released (expired at once, compare-and-set, so a lease
 *       taken over meanwhile is left alone), then {@code sr_lock "False"}, then the lease cleared;
 *   <li>unlock: {@code sr_lock "False"}, then the lease cleared.
 * </ul>
 * Stopped after any step, the index holds either no lock, or a lease record of ours (live until
 * its expiry, or already expired) beside whatever {@code sr_lock} says: the next sync takes it
 * once it is stale, with no {@code unlock}.
 */
public final class LeaseLock {
    public static final String LEASE_FIELD = "srouter_lease";
    public static final String SR_LOCK_FIELD = "sr_lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who holds a lease and until when. {@code owner} reads like {@code alice@build-7}. */
    public record Holder(String owner, String host, long pid, String token, Instant acquiredAt, Instant expiresAt) {
        public boolean expired(Instant now) {
            return !now.isBefore(expiresAt);
        }

        /**
         * Whether the holder is a process of this host (same host name) that is no longer alive: a sync
         * killed outright, whose lease need not be waited out. A holder on another host, or of unknown
         * host or pid, is judged by its expiry alone.
         */
        public boolean deadOnThisHost() {
            return pid > 0 && !host.isEmpty() && host.equals(localHost()) && ProcessHandle.of(pid).isEmpty();
        }

        /** Expired, or held by a dead process of this host: free to take over. */
        public boolean stale(Instant now) {
            return expired(now) || deadOnThisHost();
        }

        /** A record of srouter's lease (not an empty or unreadable value). */
        public boolean ours() {
            return !token.isEmpty();
        }

        String toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("owner", owner).put("host", host).put("pid", pid).put("token", token)
                    .put("acquired_at", acquiredAt.toString()).put("expires_at", expiresAt.toString());
            return n.toString();
        }

        static Optional<Holder> parse(String value) {
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            try {
                JsonNode n = JSON.readTree(value);
                return Optional.of(new Holder(n.path("owner").asText("unknown"), n.path("host").asText(""), n.path("pid").asLong(-1),
                        n.path("token").asText(""), Instant.parse(n.path("acquired_at").asText()), Instant.parse(n.path("expires_at").asText())));
            } catch (Exception e) {
                // An unreadable lease is treated as expired: it cannot name a live holder.
                return Optional.of(new Holder("unreadable lease", "", -1, "", Instant.EPOCH, Instant.EPOCH));
            }
        }

        public String describe() {
            boolean hostInOwner = !host.isEmpty() && owner.endsWith("@" + host);
            return owner + (pid > 0 ? " (pid " + pid + (host.isEmpty() || hostInOwner ? "" : " on " + host) + ")" : "");
        }

        /** What a user reads: who and until when, or why the lease no longer counts. */
        public String describeState(Instant now) {
            if (deadOnThisHost()) {
                return describe() + ", which is no longer running";
            }
            return describe() + (expired(now) ? ", expired at " : " until ") + expiresAt;
        }
    }

    /**
     * What is on the index now: our lease field and semantic-router's flag. A lease record of ours
     * decides alone, whatever {@code sr_lock} says (we set it, and may have been stopped before
     * clearing it); with no record of ours, {@code sr_lock "True"} is semantic-router's lock.
     */
    public record State(Optional<Holder> holder, boolean srLocked) {
        public boolean free(Instant now) {
            return holder.map(h -> h.stale(now)).orElse(!srLocked);
        }

        /** The holder whose lease keeps the index locked now, if it is ours. */
        public Optional<Holder> liveHolder(Instant now) {
            return holder.filter(h -> h.ours() && !h.stale(now));
        }
    }

    /** Told about a wait for the lock, so that a person knows why nothing happens. */
    public interface WaitListener {
        /** Once, when the wait has lasted {@code waited}; then every {@code progressEvery}. */
        void waiting(State state, Instant now, Duration waited, boolean first);

        WaitListener NONE = (state, now, waited, first) -> {};
    }

    private final VectorIndex index;
    private final Clock clock;
    private final Duration ttl;

    /**
     * @param ttl how long a lease lives without renewal. Taking the lease relies on the index's
     *     {@link VectorIndex#compareAndSetConfig}: atomic where the backend allows, a write, settle
     *     delay and read-back where it does not (Pinecone).
     */
    public LeaseLock(VectorIndex index, Clock clock, Duration ttl) {
        this.index = index;
        this.clock = clock;
        this.ttl = ttl;
    }

    public State state() {
        return state(index.readConfig(LEASE_FIELD).map(VectorIndex.ConfigEntry::value).orElse(null));
    }

    private State state(String leaseValue) {
        boolean sr = index.readConfig(SR_LOCK_FIELD).map(e -> "True".equals(e.value())).orElse(false);
        return new State(Holder.parse(leaseValue), sr);
    }

    /**
     * Takes the lease, waiting up to {@code timeout} for a live holder to let go.
     *
     * @throws SrouterException exit 3 naming the holder when the wait runs out
     */
    public Held acquire(String owner, Duration timeout) {
        return acquire(owner, timeout, WaitListener.NONE, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /**
     * Takes the lease, waiting up to {@code timeout}; tells {@code listener} once the wait has lasted
     * {@code firstNotice}, then every {@code progressEvery}, and always before giving up after a wait of
     * at least {@code firstNotice}.
     */
    public Held acquire(String owner, Duration timeout, WaitListener listener, Duration firstNotice, Duration progressEvery) {
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        Instant nextNotice = start.plus(firstNotice);
        boolean noticed = false;
        long backoff = 100;
        while (true) {
            String current = index.readConfig(LEASE_FIELD).map(VectorIndex.ConfigEntry::value).orElse(null);
            State state = state(current);
            Instant now = clock.instant();
            if (state.free(now)) {
                Holder mine = new Holder(owner, localHost(), ProcessHandle.current().pid(), UUID.randomUUID().toString(), now, now.plus(ttl));
                // The lease with its expiry first: stopped before sr_lock is set, the index holds a lease that expires.
                if (index.compareAndSetConfig(LEASE_FIELD, current, mine.toJson())) {
                    Held held = new Held(mine);
                    try {
                        index.writeConfig(SR_LOCK_FIELD, "True");
                        index.awaitWritesVisible(); // Python clients must see sr_lock before we write
                    } catch (RuntimeException e) {
                        held.close();
                        throw e;
                    }
                    return held;
                }
                state = state(); // another process won the race: name it if we give up now
            }
            if (!now.isBefore(nextNotice)) {
                listener.waiting(state, now, Duration.between(start, now), !noticed);
                noticed = true;
                nextNotice = now.plus(progressEvery);
            }
            if (!now.isBefore(deadline)) {
                throw locked(state, now);
            }
            long untilNotice = Math.max(1, Duration.between(now, nextNotice).toMillis());
            sleep(Math.max(1, Math.min(Math.min(backoff, untilNotice), Duration.between(now, deadline).toMillis())));
            backoff = Math.min(backoff * 2, 2000);
        }
    }

    /** Who holds the lock, for messages: {@code alice@build-7 (pid 42) until 2026-...Z}, or semantic-router's flag. */
    public static String describeHolder(State state, Instant now) {
        return state.liveHolder(now).map(h -> h.describe() + " until " + h.expiresAt())
                .orElse("semantic-router (sr_lock is \"True\"; it has no expiry)");
    }

    static SrouterException locked(State state, Instant now) {
        String who = "locked by " + describeHolder(state, now);
        return new SrouterException(ExitCode.LOCKED, "the index is " + who + "; wait (--lock-timeout) or break a stale lock with 'srouter unlock'");
    }

    /**
     * Breaks the lock: clears our lease and semantic-router's flag.
     *
     * @param force also break a live lease
     * @return the holder that was removed, if any
     */
    public Optional<Holder> breakLock(boolean force) {
        State state = state();
        Instant now = clock.instant();
        // Only a live lease of ours is refused: semantic-router's sr_lock has no expiry, so a stale
        // one could never be told from a live one, and breaking stale locks is what unlock is for.
        boolean liveLease = state.liveHolder(now).isPresent();
        if (!force && liveLease) {
            throw new SrouterException(ExitCode.LOCKED, LeaseLock.locked(state, now).getMessage().replaceFirst("; wait.*", "")
                    + " and the lease is live; use --force to break it anyway");
        }
        // sr_lock first: stopped between the two, the lease left behind still expires.
        index.writeConfig(SR_LOCK_FIELD, "False");
        index.writeConfig(LEASE_FIELD, "");
        index.awaitWritesVisible(); // the next sync, maybe on another machine, must see the lock free
        return state.holder();
    }

    /** The leases this process holds now, for {@link #releaseHeldLeasesOnShutdown()}. */
    private static final Set<Held> HELD = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

    /**
     * Installs, once per process, a shutdown hook that releases the leases still held when the JVM is
     * asked to stop (SIGINT, SIGTERM): it lets the write in flight finish, keeps the sync from starting
     * another, then releases the lease, so that the next sync need not wait for its expiry. The JVM
     * then exits with 128 + the signal's number (130, 143). {@code Main} calls it; in-process runs
     * (tests) do not.
     */
    public static void releaseHeldLeasesOnShutdown() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Held h : List.copyOf(HELD)) {
                    h.stopAndRelease(SHUTDOWN_WAIT);
                }
            }, "srouter-lease-release"));
        }
    }

    /** How long the shutdown hook waits for the write in flight before releasing anyway (the lease outlives it). */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    /** A lease we hold: renewed in the background until {@link #close()}, which releases it. */
    public final class Held implements AutoCloseable {
        private volatile Holder holder;
        private volatile boolean lost;
        private final ScheduledExecutorService renewer;
        // Between the sync's writes: the shutdown hook waits for the sync to reach one (or to close).
        private final Object gate = new Object();
        private boolean stopping;
        private boolean parked;
        private boolean closed;

        private Held(Holder holder) {
            this.holder = holder;
            HELD.add(this);
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "srouter-lease-renewal");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(50, ttl.toMillis() / 3);
            renewer.scheduleAtFixedRate(() -> {
                try {
                    renew();
                } catch (RuntimeException e) {
                    // A failed renewal (a dropped connection) is retried next period; the lease still has two thirds to run.
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }

        public Holder holder() {
            return holder;
        }

        /** Renews now; a lease taken over by someone else is marked lost. */
        public synchronized void renew() {
            if (lost || closed) {
                return;
            }
            Holder current = holder;
            Instant now = clock.instant();
            Holder renewed = new Holder(current.owner(), current.host(), current.pid(), current.token(), current.acquiredAt(), now.plus(ttl));
            if (index.compareAndSetConfig(LEASE_FIELD, current.toJson(), renewed.toJson())) {
                holder = renewed;
            } else {
                lost = true;
            }
        }

        /**
         * Called before each write: stops a sync whose lease was taken over (it expired while we stalled),
         * or whose process is shutting down (the write before this one has finished: the lease is released now).
         */
        public void ensureHeld() {
            synchronized (gate) {
                if (stopping) {
                    parked = true;
                    gate.notifyAll();
                    throw SrouterException.failure("stopped by a signal; the writes so far are complete and the lease is released; "
                            + "run the sync again");
                }
            }
            if (lost) {
                throw new SrouterException(ExitCode.LOCKED, "the lease on the index was lost (it expired and another process took it); "
                        + "nothing more was written; run the sync again");
            }
        }

        /** The shutdown hook's part: no write after the one in flight, then release. */
        void stopAndRelease(Duration wait) {
            synchronized (gate) {
                stopping = true;
                long deadline = System.nanoTime() + wait.toNanos();
                while (!parked && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(gate, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            close();
        }

        /**
         * Releases the lease: rewritten as released (expired now) by compare-and-set, so that a lease another
         * process took over is left alone; then {@code sr_lock "False"}; then the lease cleared. Stopped between
         * two of these, the index still holds an expired lease record of ours, never {@code sr_lock "True"} alone.
         */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            renewer.shutdown(); // no interrupt: a renewal in flight finishes its write (it holds this monitor anyway)
            try {
                Holder released = new Holder(holder.owner(), holder.host(), holder.pid(), holder.token(), holder.acquiredAt(), clock.instant());
                if (!lost && index.compareAndSetConfig(LEASE_FIELD, holder.toJson(), released.toJson())) {
                    index.writeConfig(SR_LOCK_FIELD, "False");
                    index.compareAndSetConfig(LEASE_FIELD, released.toJson(), "");
                    try {
                        index.awaitWritesVisible(); // so that the next sync sees the lock free
                    } catch (SrouterException e) {
                        // The writes were accepted and will show; the work is done, so this is no failure.
                    }
                }
            } finally {
                HELD.remove(this);
                synchronized (gate) {
                    closed = true;
                    gate.notifyAll();
                }
            }
        }
    }

    /** This host's name as the lease records it: the name the system gives, else {@code $HOSTNAME}, else empty (unknown). */
    public static String localHost() {
        String cached = LOCAL_HOST;
        if (cached == null) {
            String name;
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                name = System.getenv("HOSTNAME");
            }
            cached = name == null ? "" : name;
            LOCAL_HOST = cached;
        }
        return cached;
    }

    private static volatile String LOCAL_HOST;

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SrouterException.failure("interrupted while waiting for the index lock");
        }
    }
}
