package dev.srouter.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.Diff;
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
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options and the run shared by {@code sync}, {@code push} and {@code pull}. */
abstract class SyncRunner extends BaseCommand {
    @Option(names = "--dry-run", description = "Show the diff and the plan, write nothing (exit 0 when there is nothing to do, 2 otherwise).")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Apply without asking (needed when not on a terminal).")
    boolean yes;

    @Option(names = "--reembed", description = "Rebuild every vector on the remote with this run's encoder (when the remote was written with another).")
    boolean reembed;

    @Option(names = "--allow-empty", description = "Apply a plan that deletes every record of the remote (an empty routes file pushed, for "
            + "example); refused without it, even with --yes.")
    boolean allowEmpty;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for another sync's lock (e.g. 0, 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String lockTimeout;

    @Option(names = "--summary", description = "Show only the per-route counts and the summary line, not every utterance.")
    boolean summary;

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
            local = RoutesFile.read(root.routes, this::warn);
        }
        Duration timeout = Durations.parse(lockTimeout, "--lock-timeout");
        Clock clock = Clock.systemUTC();
        try (VectorIndex index = IndexFactory.remote(root, spec.name());
                Encoder encoder = encoder(local)) {
            SyncService service = new SyncService(index, encoder, clock, batchSize, "srouter " + VersionProvider.version(), this::debug)
                    .withProgress(TerminalProgress.forContext(ctx(), root.quiet));
            VectorIndex.IndexInfo info = index.describe();
            if (reembed && info.exists() && info.dimension() > 0 && encoder.dimension() > 0 && info.dimension() != encoder.dimension()) {
                throw SrouterException.failure("--reembed cannot change the dimension of " + index.describeLocation() + " (" + info.dimension()
                        + " -> " + encoder.dimension() + " with " + encoder.name() + "); nothing was written. Push to a new index instead "
                        + "(another --index or --index-name)");
            }
            // Show the plan (and get it confirmed) before touching anything, not even creating the index.
            SyncService.Comparison preview = service.compare(local, strategy, !reembed);
            service.checkEncoder(preview, reembed);
            boolean nothingToDo = preview.plan().isEmpty() && !reembed && (fileExists || !createMissingRoutesFile);
            show(preview, index, strategy != SyncStrategy.ERROR && !dryRun && !nothingToDo && !yes && ctx().interactive());
            if (strategy == SyncStrategy.ERROR) {
                return report(SyncReport.notApplied("not_applied", preview.plan(), root.routes), index,
                        preview.plan().inSync() ? ExitCode.OK : ExitCode.DIFFERENT);
            }
            if (dryRun) {
                return report(SyncReport.notApplied("dry_run", preview.plan(), root.routes), index,
                        preview.plan().isEmpty() && !reembed ? ExitCode.OK : ExitCode.DIFFERENT);
            }
            if (nothingToDo) {
                info("nothing to do");
                return report(SyncReport.notApplied("nothing_to_do", preview.plan(), root.routes), index, ExitCode.OK);
            }
            requireAllowEmpty(preview, index);
            if (reembed) {
                long records = preview.plan().target().map(RouteSet::utteranceCount).orElse(0);
                err().println("--reembed: " + records + " records will be embedded again with " + encoder.name() + " and rewritten");
                err().flush();
            }
            if (!confirm(preview.plan())) {
                err().println("nothing written; cancelled");
                err().flush();
                return report(SyncReport.notApplied("cancelled", preview.plan(), root.routes), index, ExitCode.FAILURE);
            }
            boolean created = false;
            if (!info.exists()) {
                if (encoder.dimension() < 0) {
                    throw SrouterException.failure("cannot create " + index.describeLocation() + ": the dimension of " + encoder.name()
                            + " is unknown until it embeds something");
                }
                index.create(encoder.dimension());
                created = true;
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
                if (plan.isEmpty() && !reembed && sameTarget(plan, preview.plan())) {
                    // Another writer got the lock first and left both sides as this plan would have: nothing is lost.
                    info("nothing to do: " + index.describeLocation() + " already holds what the plan would write (another writer applied it)");
                    return report(SyncReport.notApplied("nothing_to_do", plan, root.routes), index, ExitCode.OK);
                }
                if (!plan.summary().equals(preview.plan().summary())) {
                    throw SrouterException.failure("the remote changed while the plan was shown (now " + plan.summary()
                            + "); nothing written; run the sync again");
                }
                SyncService.Applied applied = plan.writesRemote() || reembed ? service.applyRemote(plan, lease, reembed)
                        : new SyncService.Applied(0, 0, 0, 0, 0);
                if (plan.localChanged() || (!fileExists && createMissingRoutesFile)) {
                    RoutesFileEditor.write(root.routes, withIndexEncoder(plan.target().orElseThrow(),
                            applied.embedded() > 0 ? encoder.name() : c.manifest().map(dev.srouter.core.Manifest::encoder).orElse(encoder.name())));
                }
                return report(new SyncReport("applied", plan, applied, created, root.routes, !fileExists ? "created"
                        : plan.localChanged() ? "rewritten" : "unchanged"), index, ExitCode.OK);
            }
        }
    }

    private static boolean sameTarget(SyncPlan now, SyncPlan shown) {
        return now.target().isPresent() && shown.target().isPresent()
                && Diff.between(now.target().get(), shown.target().get()).isEmpty();
    }

    /** Under {@code -o json}, the plan waits for {@link #report}: stdout gets one document, plan and result. */
    private ObjectNode planJson;

    /**
     * The diff and plan: as text on stdout, or under {@code -o json} kept for the one document {@link #report} prints;
     * then, when a person is asked to confirm, the table goes to stderr so they see what they confirm.
     */
    private void show(SyncService.Comparison c, VectorIndex index, boolean willAsk) {
        if (root.output == OutputFormat.json) {
            planJson = DiffRenderer.json(c, index.describeLocation());
            if (willAsk) {
                DiffRenderer.text(err(), c, summary, ansi(), TerminalWidth.of(ctx()));
                err().flush();
            }
        } else if (!root.quiet) {
            DiffRenderer.text(out(), c, summary, ansi(), TerminalWidth.of(ctx()));
        }
        out().flush();
    }

    /**
     * The routes file's content naming the encoder the index's vectors are made with ({@code local:bge-small-en-v1.5}
     * as {@code encoder_type: local}, {@code encoder_name: bge-small-en-v1.5}), so that routing on the file uses the
     * model the index was written with.
     */
    static RouteSet withIndexEncoder(RouteSet target, String encoderName) {
        if (encoderName == null || encoderName.isBlank()) {
            return target;
        }
        int colon = encoderName.indexOf(':');
        String type = colon < 0 ? encoderName : encoderName.substring(0, colon);
        String model = colon < 0 ? null : encoderName.substring(colon + 1);
        return new RouteSet(type, model, target.routes());
    }

    /** A plan that leaves the remote with no record at all is applied only with --allow-empty, --yes or not. */
    private void requireAllowEmpty(SyncService.Comparison c, VectorIndex index) {
        SyncPlan plan = c.plan();
        boolean empties = !plan.remoteDeletes().isEmpty()
                && plan.target().map(t -> t.utteranceCount() == 0).orElse(false);
        if (empties && !allowEmpty) {
            throw SrouterException.usage("the plan deletes every record of " + index.describeLocation() + " (" + plan.remoteDeletes().size()
                    + ") and leaves it empty; nothing written. Pass --allow-empty if that is what you want");
        }
    }

    /** The result: a line for people after an apply, or under {@code -o json} the plan with its {@code "result"}. */
    private int report(SyncReport result, VectorIndex index, int exitCode) {
        if (root.output == OutputFormat.json) {
            result.json(planJson);
            out().println(planJson.toString());
        } else if (result.status().equals("applied")) {
            out().println(result.text(index.describeLocation()));
        }
        out().flush();
        return exitCode;
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
        return Prompts.yesNo(ctx(), "Apply this plan? [y/N] ");
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
