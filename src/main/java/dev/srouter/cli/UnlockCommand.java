package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.engine.LeaseLock;
import dev.srouter.index.VectorIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "unlock",
        mixinStandardHelpOptions = true,
        description = {"Break a stale lock on the remote index (a crashed sync's lease, or semantic-router's sr_lock), saying whose it was.",
            "A live lease is refused unless --force."},
        footerHeading = "%nExamples:%n",
        footer = {"  srouter unlock --index qdrant", "  srouter unlock --index pinecone --force"})
final class UnlockCommand extends BaseCommand {
    @Option(names = "--force", description = "Also break a lease that has not expired (its sync may still be running).")
    boolean force;

    @Override
    protected int doCall() {
        try (VectorIndex index = IndexFactory.remote(root, "unlock")) {
            if (!index.describe().exists()) {
                return report(index, false, false, Optional.empty(), index.describeLocation() + " does not exist; nothing to unlock");
            }
            LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ZERO);
            LeaseLock.State before = lock.state();
            if (before.holder().filter(h -> !h.token().isEmpty()).isEmpty() && !before.srLocked()) {
                return report(index, true, false, Optional.empty(), "the index was not locked");
            }
            Optional<LeaseLock.Holder> broken = lock.breakLock(force).filter(h -> !h.token().isEmpty());
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
