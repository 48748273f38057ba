package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.RoutesFileEditor;
import dev.srouter.core.SrouterException;
import dev.srouter.core.SyncPlan;
import dev.srouter.core.SyncStrategy;
import dev.srouter.encoder.Encoder;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.SyncService;
import dev.srouter.index.VectorIndex;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options and the run shared by {@code sync}, {@code push} and {@code pull}. */
abstract class SyncRunner extends BaseCommand {
    @Option(names = "--dry-run", description = "Show the diff and the plan, write nothing (exit 0 when there is nothing to do, 2 otherwise).")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Apply without asking (needed when not on a terminal).")
    boolean yes;

    @Option(names = "--reembed", description = "Rebuild every vector on the remote with this run's encoder (when the remote was written with another).")
    boolean reembed;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for another sync's lock (e.g. 0, 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String lockTimeout;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500", description = "Records per write call. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    /** How long a lease lives without renewal; renewed every third of it while the sync runs. */
    static final Duration LEASE_TTL = Duration.ofSeconds(60);

    /** A wait for the lock longer than this says who holds it (shorter ones are the usual race of two CI jobs), then again every period. */
    static final Duration LOCK_NOTICE_AFTER = Duration.ofSeconds(1);
    static final Duration LOCK_PROGRESS_EVERY = Duration.ofSeconds(10);

    int run(SyncStrategy strategy, boolean createMissingRoutesFile) throws Exception {
        RouteSet local;
        boolean fileExists = Files.exists(root.routes);
        if (!fileExists && createMissingRoutesFile) {
            local = RouteSet.of(List.of());
        } else {
            local = RoutesFile.read(root.routes);
        }
        Duration timeout = Durations.parse(lockTimeout, "--lock-timeout");
        Clock clock = Clock.systemUTC();
        try (VectorIndex index = IndexFactory.remote(root, spec.name());
                Encoder encoder = encoder(local)) {
            SyncService service = new SyncService(index, encoder, clock, batchSize, "srouter " + VersionProvider.version(), this::debug);
            VectorIndex.IndexInfo info = index.describe();
            if (reembed && info.exists() && info.dimension() > 0 && encoder.dimension() > 0 && info.dimension() != encoder.dimension()) {
                throw SrouterException.failure("--reembed cannot change the dimension of " + index.describeLocation() + " (" + info.dimension()
                        + " -> " + encoder.dimension() + " with " + encoder.name() + "); nothing was written. Push to a new index instead "
                        + "(another --index or --index-name)");
            }
            // Show the plan (and get it confirmed) before touching anything, not even creating the index.
            SyncService.Comparison preview = service.compare(local, strategy, !reembed);
            service.checkEncoder(preview, reembed);
            show(preview, index);
            if (strategy == SyncStrategy.ERROR) {
                return preview.plan().inSync() ? ExitCode.OK : ExitCode.DIFFERENT;
            }
            if (dryRun) {
                return preview.plan().isEmpty() && !reembed ? ExitCode.OK : ExitCode.DIFFERENT;
            }
            if (preview.plan().isEmpty() && !reembed && (fileExists || !createMissingRoutesFile)) {
                info("nothing to do");
                return ExitCode.OK;
            }
            if (!confirm(preview.plan())) {
                info("nothing written");
                return ExitCode.OK;
            }
            if (!info.exists()) {
                if (encoder.dimension() < 0) {
                    throw SrouterException.failure("cannot create " + index.describeLocation() + ": the dimension of " + encoder.name()
                            + " is unknown until it embeds something");
                }
                index.create(encoder.dimension());
                info("created " + index.describeLocation() + " (dimension " + encoder.dimension() + ", cosine)");
            }
            LeaseLock lock = new LeaseLock(index, clock, LEASE_TTL);
            String where = index.describeLocation();
            LeaseLock.WaitListener waiting = (state, now, waited, first) -> info((first ? "waiting for the lock of " + where
                    : "still waiting for the lock of " + where + " (" + waited.toSeconds() + "s)") + ": held by "
                    + LeaseLock.describeHolder(state, now) + "; --lock-timeout " + lockTimeout);
            try (LeaseLock.Held lease = lock.acquire(owner(), timeout, waiting, LOCK_NOTICE_AFTER, LOCK_PROGRESS_EVERY)) {
                // Plan again under the lock: what was confirmed must still be what gets written.
                SyncService.Comparison c = service.compare(local, strategy, !reembed);
                SyncPlan plan = c.plan();
                if (!plan.summary().equals(preview.plan().summary())) {
                    throw SrouterException.failure("the remote changed while the plan was shown (now " + plan.summary()
                            + "); nothing written; run the sync again");
                }
                SyncService.Applied applied = plan.writesRemote() || reembed ? service.applyRemote(plan, lease, reembed)
                        : new SyncService.Applied(0, 0, 0, 0, 0);
                if (plan.localChanged() || (!fileExists && createMissingRoutesFile)) {
                    RoutesFileEditor.write(root.routes, plan.target().orElseThrow());
                }
                out().printf(Locale.ROOT, "synced %s with %s (%s): remote %d upserted (%d embedded), %d deleted, %d payloads rewritten; "
                        + "routes file %s%n", root.routes, index.describeLocation(), strategy.cliName(), applied.upserted(), applied.embedded(),
                        applied.deleted(), applied.payloadRewritten(), !fileExists ? "created"
                        : plan.localChanged() ? "rewritten (" + root.routes + ".bak kept)" : "unchanged");
                out().flush();
                return ExitCode.OK;
            }
        }
    }

    private void show(SyncService.Comparison c, VectorIndex index) {
        if (root.output == OutputFormat.json) {
            out().println(DiffRenderer.json(c, index.describeLocation()).toString());
        } else if (!root.quiet) {
            DiffRenderer.text(out(), c, false, ansi());
        }
        out().flush();
    }

    /** On a terminal, ask; elsewhere, a plan that writes needs --yes. */
    private boolean confirm(SyncPlan plan) throws Exception {
        if (yes) {
            return true;
        }
        if (!ctx().interactive()) {
            throw SrouterException.usage("the plan writes (" + plan.summary() + ") and there is no terminal to confirm it: "
                    + "pass --yes to apply, or --dry-run to only look");
        }
        err().print("Apply this plan? [y/N] ");
        err().flush();
        String answer = new BufferedReader(new InputStreamReader(ctx().in(), StandardCharsets.UTF_8)).readLine();
        return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
    }

    private Encoder encoder(RouteSet local) {
        return RoutingSetup.cached(root, RoutingSetup.createEncoder(root, local), this::warn);
    }

    /** {@code user@host}, as the lease records it beside the pid. */
    private static String owner() {
        String host = LeaseLock.localHost();
        return System.getProperty("user.name", "unknown") + "@" + (host.isEmpty() ? "unknown-host" : host);
    }
}
