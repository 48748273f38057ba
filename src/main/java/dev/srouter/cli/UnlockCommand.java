package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.engine.LeaseLock;
import dev.srouter.index.VectorIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "unlock",
        mixinStandardHelpOptions = true,
        description = {"Break a stale lock on the remote index (a crashed sync's lease, or semantic-router's sr_lock), saying whose it was.", "",
            "A live lease is refused unless --force, which asks on a terminal and elsewhere needs --lease with the lease's id, as "
                    + "srouter status prints it (like terraform force-unlock LOCK_ID)."},
        footerHeading = "%nExamples:%n",
        footer = {"  srouter unlock --index qdrant", "  srouter unlock --index pinecone --force",
            "  srouter unlock --index qdrant --force --lease 3f2c9a51-..."})
final class UnlockCommand extends BaseCommand {
    @Option(names = "--force", description = "Also break a lease that has not expired (its sync may still be running): asks on a "
            + "terminal; elsewhere needs --lease.")
    boolean force;

    @Option(names = "--lease", paramLabel = "ID", description = "With --force: the id of the live lease to break, as srouter status "
            + "prints it (like terraform force-unlock LOCK_ID); needed without a terminal.")
    String lease;

    @Override
    protected int doCall() throws Exception {
        try (VectorIndex index = IndexFactory.remote(root, "unlock")) {
            if (!index.describe().exists()) {
                return report(index, false, false, Optional.empty(), index.describeLocation() + " does not exist; nothing to unlock");
            }
            LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ZERO);
            LeaseLock.State before = lock.state();
            if (before.holder().filter(LeaseLock.Holder::ours).isEmpty() && !before.srLocked()) {
                return report(index, true, false, Optional.empty(), "the index was not locked");
            }
            Optional<LeaseLock.Holder> live = before.liveHolder(Instant.now());
            if (force && live.isPresent()) {
                LeaseLock.Holder h = live.get();
                if (lease != null) {
                    if (!lease.strip().equals(h.token())) {
                        throw new SrouterException(ExitCode.LOCKED, index.describeLocation() + " is locked by " + h.describe() + " with lease "
                                + h.token() + ", not " + lease.strip() + "; nothing written");
                    }
                } else if (!ctx().interactive()) {
                    throw SrouterException.usage("the lease of " + h.describe() + " on " + index.describeLocation() + " is live until "
                            + h.expiresAt() + "; to break it without a terminal pass --force --lease " + h.token());
                } else if (!Prompts.yesNo(ctx(), "Break the live lease of " + h.describe() + " (until " + h.expiresAt()
                        + ")? Its sync may still be running. [y/N] ")) {
                    err().println("nothing written; cancelled");
                    err().flush();
                    return ExitCode.FAILURE;
                }
            }
            Optional<LeaseLock.Holder> broken = lock.breakLock(force).filter(LeaseLock.Holder::ours);
            return report(index, true, true, broken, "broke the lock of " + broken.map(h -> h.describe() + " (lease until " + h.expiresAt() + ")")
                    .orElse("semantic-router (sr_lock was \"True\")"));
        }
    }

    /** The text line, or under {@code -o json} one object (docs/json-output.md). */
    private int report(VectorIndex index, boolean exists, boolean broke, Optional<LeaseLock.Holder> lease, String text) {
        if (root.output == OutputFormat.json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("index", index.describeLocation()).put("exists", exists).put("broke", broke);
            n.put("lock", !broke ? null : lease.isPresent() ? "lease" : "sr_lock");
            lease.ifPresent(h -> n.putObject("holder").put("owner", h.owner()).put("host", h.host()).put("pid", h.pid())
                    .put("expires_at", h.expiresAt().toString()));
            out().println(n.toString());
        } else {
            out().println(text);
        }
        out().flush();
        return ExitCode.OK;
    }
}
