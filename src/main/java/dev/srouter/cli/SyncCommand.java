package dev.srouter.cli;

import dev.srouter.core.SyncStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "sync",
        mixinStandardHelpOptions = true,
        description = {
            "Bring the routes file and the remote index together with one of six strategies.",
            "",
            "The strategies (docs/sync-strategies.md has an example of each):",
            "  error               write nothing; exit 0 when in sync, 2 when different",
            "  local               make the remote equal to the routes file",
            "  remote              make the routes file equal to the remote",
            "  merge-force-local   every route of both; one on both sides: the file's",
            "  merge-force-remote  every route of both; one on both sides: the remote's",
            "  merge               every route of both; utterances united, the file's",
            "                      attributes where both set one",
            "",
            "Prints the diff and the plan, asks for confirmation on a terminal (--yes elsewhere), applies, and says what it did. "
                    + "Holds a lease lock on the index for the whole run.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter sync --index qdrant --strategy merge",
            "  srouter sync --index pinecone --strategy local --dry-run",
            "  srouter sync --index qdrant --strategy merge --yes --lock-timeout 5m  # CI",
            "  srouter sync --index file:.srouter-index --strategy remote",
        })
final class SyncCommand extends SyncRunner {
    @Option(names = "--strategy", paramLabel = "MODE", required = true, completionCandidates = CompletionValues.Strategies.class,
            description = "error, remote, local, merge-force-remote, merge-force-local or merge.")
    String strategy;

    @Override
    protected int doCall() throws Exception {
        return run(SyncStrategy.parse(strategy), false);
    }
}
