package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.SyncStrategy;
import dev.srouter.engine.SyncService;
import dev.srouter.index.VectorIndex;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = {
            "Show how the routes file and the remote index differ, and what a sync with --strategy would do.", "",
            "Exit 0 when in sync, 2 when different, 1 on failure. Reordering routes or utterances is no change.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter diff -r routes.yaml --index qdrant       # QDRANT_URL, QDRANT_API_KEY",
            "  srouter diff --index pinecone --namespace acme --summary  # PINECONE_API_KEY",
            "  srouter diff --index postgres                    # POSTGRES_URL",
            "  srouter diff --index file:.srouter-index --strategy local --summary",
            "  srouter diff --index qdrant -o json | jq .counts",
        })
final class DiffCommand extends BaseCommand {
    @Option(names = "--strategy", paramLabel = "MODE", defaultValue = "merge", completionCandidates = CompletionValues.Strategies.class,
            description = "Strategy whose planned actions are shown: error, remote, local, merge-force-remote, merge-force-local, merge. "
                    + "Default: ${DEFAULT-VALUE}.")
    String strategy;

    @Option(names = "--summary", description = "Only the per-route counts and the summary line.")
    boolean summary;

    @Override
    protected int doCall() {
        RouteSet local = RoutesFile.read(root.routes, this::warn);
        SyncStrategy mode = SyncStrategy.parse(strategy);
        try (VectorIndex index = IndexFactory.remote(root, "diff")) {
            SyncService.Comparison c = new SyncService(index, null, Clock.systemUTC(), SyncService.DEFAULT_BATCH, "srouter " + VersionProvider.version(), this::debug)
                    .withProgress(TerminalProgress.forContext(ctx(), root.quiet)).compare(local, mode, true);
            if (root.output == OutputFormat.json) {
                out().println(DiffRenderer.json(c, index.describeLocation()).toString());
            } else {
                DiffRenderer.text(out(), c, summary, ansi(), TerminalWidth.of(ctx()));
            }
            out().flush();
            return c.plan().inSync() ? ExitCode.OK : ExitCode.DIFFERENT;
        }
    }
}
