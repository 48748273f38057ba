package dev.srouter.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lease on a remote index, held for the whole of a sync: who holds it (owner, host, pid, a
 * random token) and until when. It is taken with the index's compare-and-set on a config
 * entry, renewed in the background while the sync runs, and taken over once expired, so a
 * crashed holder blocks others only until its lease runs out.
 *
 * <p>semantic-router's own lock is the config entry {@code sr_lock} = {@code "True"}/{@code
 * "False"}, with no owner and no expiry; it is kept up to date for Python clients, and a
 * {@code "True"} without a lease of ours is treated as a lock held by semantic-router.
 */
public final class LeaseLock {
    public static final String LEASE_FIELD = "srouter_lease";
    public static final String SR_LOCK_FIELD = "sr_lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who holds a lease and until when. {@code owner} reads like {@code alice@build-7 (pid 4242)}. */
    public record Holder(String owner, String host, long pid, String token, Instant acquiredAt, Instant expiresAt) {
        public boolean expired(Instant now) {
            return !now.isBefore(expiresAt);
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
            return owner + (pid > 0 ? " (pid " + pid + (host.isEmpty() ? "" : " on " + host) + ")" : "");
        }
    }

    /** What is on the index now: our lease field and semantic-router's flag. */
    public record State(Optional<Holder> holder, boolean srLocked) {
        public boolean free(Instant now) {
            return holder.map(h -> h.expired(now)).orElse(!srLocked);
        }
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
        Instant deadline = clock.instant().plus(timeout);
        long backoff = 100;
        while (true) {
            String current = index.readConfig(LEASE_FIELD).map(VectorIndex.ConfigEntry::value).orElse(null);
            State state = state(current);
            Instant now = clock.instant();
            if (state.free(now)) {
                Holder mine = new Holder(owner, host(), ProcessHandle.current().pid(), UUID.randomUUID().toString(), now, now.plus(ttl));
                if (index.compareAndSetConfig(LEASE_FIELD, current, mine.toJson())) {
                    index.writeConfig(SR_LOCK_FIELD, "True");
                    index.awaitWritesVisible(); // Python clients must see sr_lock before we write
                    return new Held(mine);
                }
                state = state(); // another process won the race: name it if we give up now
            }
            if (!now.isBefore(deadline)) {
                throw locked(state, now);
            }
            sleep(Math.max(1, Math.min(backoff, Duration.between(now, deadline).toMillis())));
            backoff = Math.min(backoff * 2, 2000);
        }
    }

    static SrouterException locked(State state, Instant now) {
        String who = state.holder().filter(h -> !h.expired(now))
                .map(h -> "locked by " + h.describe() + " until " + h.expiresAt())
                .orElse("locked by semantic-router (sr_lock is \"True\"; it has no expiry)");
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
        boolean liveLease = state.holder().filter(h -> !h.token().isEmpty() && !h.expired(now)).isPresent();
        if (!force && liveLease) {
            throw new SrouterException(ExitCode.LOCKED, LeaseLock.locked(state, now).getMessage().replaceFirst("; wait.*", "")
                    + " and the lease is live; use --force to break it anyway");
        }
        index.writeConfig(LEASE_FIELD, "");
        index.writeConfig(SR_LOCK_FIELD, "False");
        index.awaitWritesVisible(); // the next sync, maybe on another machine, must see the lock free
        return state.holder();
    }

    /** A lease we hold: renewed in the background until {@link #close()}, which releases it. */
    public final class Held implements AutoCloseable {
        private volatile Holder holder;
        private volatile boolean lost;
        private final ScheduledExecutorService renewer;

        private Held(Holder holder) {
            this.holder = holder;
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "srouter-lease-renewal");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(50, ttl.toMillis() / 3);
            renewer.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        public Holder holder() {
            return holder;
        }

        /** Renews now; a lease taken over by someone else is marked lost. */
        public synchronized void renew() {
            if (lost) {
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

        /** Called before each write: stops a sync whose lease was taken over (it expired while we stalled). */
        public void ensureHeld() {
            if (lost) {
                throw new SrouterException(ExitCode.LOCKED, "the lease on the index was lost (it expired and another process took it); "
                        + "nothing more was written; run the sync again");
            }
        }

        @Override
        public synchronized void close() {
            renewer.shutdownNow();
            if (!lost && index.compareAndSetConfig(LEASE_FIELD, holder.toJson(), "")) {
                index.writeConfig(SR_LOCK_FIELD, "False");
                try {
                    index.awaitWritesVisible(); // so that the next sync sees the lock free
                } catch (SrouterException e) {
                    // The writes were accepted and will show; the work is done, so this is no failure.
                }
            }
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SrouterException.failure("interrupted while waiting for the index lock");
        }
    }
}
