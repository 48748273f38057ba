package dev.srouter.cli;

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
        description = {"Break a stale lock on the remote index (a crashed sync's lease, or semantic-router's sr_lock), saying whose it was.", "",
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
                out().println(index.describeLocation() + " does not exist; nothing to unlock");
                return ExitCode.OK;
            }
            LeaseLock lock = new LeaseLock(index, Clock.systemUTC(), Duration.ZERO);
            LeaseLock.State before = lock.state();
            if (before.holder().filter(h -> !h.token().isEmpty()).isEmpty() && !before.srLocked()) {
                out().println("the index was not locked");
                return ExitCode.OK;
            }
            Optional<LeaseLock.Holder> broken = lock.breakLock(force);
            out().println("broke the lock of " + broken.filter(h -> !h.token().isEmpty()).map(h -> h.describe() + " (lease until " + h.expiresAt() + ")")
                    .orElse("semantic-router (sr_lock was \"True\")"));
            out().flush();
            return ExitCode.OK;
        }
    }
}
