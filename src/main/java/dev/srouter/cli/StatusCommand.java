package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ContentHash;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Manifest;
import dev.srouter.core.RoutesFile;
import dev.srouter.engine.LeaseLock;
import dev.srouter.engine.RemoteReader;
import dev.srouter.index.VectorIndex;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {"Facts about the remote index: records, dimension, recorded encoder, lock, and whether it is in sync.", "",
            "Whether the routes file is in sync comes from the manifest's content hash: one config read, no listing."},
        footerHeading = "%nExamples:%n",
        footer = {"  srouter status --index qdrant", "  srouter status --index pinecone --namespace acme -o json",
            "  srouter status --index file:.srouter-index"})
final class StatusCommand extends BaseCommand {
    @Override
    protected int doCall() {
        try (VectorIndex index = IndexFactory.remote(root, "status")) {
            VectorIndex.IndexInfo info = index.describe();
            Optional<Manifest> manifest = info.exists() ? RemoteReader.manifest(index) : Optional.empty();
            LeaseLock.State lock = info.exists() ? new LeaseLock(index, Clock.systemUTC(), Duration.ZERO).state()
                    : new LeaseLock.State(Optional.empty(), false);
            Instant now = Instant.now();
            String sync;
            if (!Files.exists(root.routes)) {
                sync = "not checked (no " + root.routes + ")";
            } else if (!info.exists()) {
                sync = "not pushed (the index does not exist; srouter push creates it)";
            } else if (manifest.isEmpty()) {
                sync = "unknown (no manifest on the remote; run srouter diff)";
            } else if (!ContentHash.of(RoutesFile.read(root.routes)).equals(manifest.get().contentHash())) {
                sync = "differs (run srouter diff)";
            } else if (manifest.get().records() != info.count()) {
                // The hash says what was written; the count says whether it is all still there.
                sync = "unknown (the manifest records " + (manifest.get().records() < 0 ? "no" : manifest.get().records()) + " records, the index holds "
                        + info.count() + "; run srouter diff)";
            } else {
                sync = "in sync";
            }
            String lockText = lock.liveHolder(now).map(h -> "held by " + h.describe() + " until " + h.expiresAt() + " (lease " + h.token() + ")")
                    .orElseGet(() -> lock.holder().filter(LeaseLock.Holder::ours)
                            .map(h -> "free (stale lease of " + h.describeState(now) + (lock.srLocked() ? "; the sr_lock \"True\" it left is ignored" : "") + ")")
                            .orElse(lock.srLocked() ? "held by semantic-router (sr_lock \"True\", no expiry)" : "free"));
            if (root.output == OutputFormat.json) {
                ObjectNode n = new ObjectMapper().createObjectNode();
                n.put("index", index.describeLocation()).put("exists", info.exists()).put("records", info.count())
                        .put("dimension", info.dimension()).put("metric", info.metric());
                n.put("encoder", manifest.map(Manifest::encoder).orElse(null));
                n.put("manifest_written_at", manifest.map(Manifest::writtenAt).orElse(null));
                n.put("lock", lockText);
                lock.liveHolder(now).ifPresent(h -> n.putObject("lock_holder").put("owner", h.owner()).put("host", h.host())
                        .put("pid", h.pid()).put("expires_at", h.expiresAt().toString()).put("lease", h.token()));
                n.put("routes_file", root.routes.toString()).put("sync", sync);
                out().println(n.toString());
            } else {
                out().println("index:     " + index.describeLocation() + (info.exists() ? "" : " (does not exist yet)"));
                if (info.exists()) {
                    out().println("records:   " + info.count() + ", dimension " + info.dimension() + ", " + info.metric());
                    out().println("encoder:   " + manifest.map(m -> m.encoder() + " (manifest written " + m.writtenAt() + " by " + m.writtenBy() + ")")
                            .orElse("not recorded (written by semantic-router, or never synced by srouter)"));
                    out().println("lock:      " + lockText);
                }
                out().println("routes:    " + root.routes + ": " + sync);
            }
            out().flush();
            return ExitCode.OK;
        }
    }
}
