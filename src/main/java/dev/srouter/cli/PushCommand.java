package dev.srouter.cli;

import dev.srouter.core.SyncStrategy;
import picocli.CommandLine.Command;

@Command(
        name = "push",
        mixinStandardHelpOptions = true,
        description = {"Make the remote index equal to the routes file: 'sync --strategy local'.", "",
            "A routes file with 'routes: []' empties the remote (after confirmation, or --yes)."},
        footerHeading = "%nExamples:%n",
        footer = {"  srouter push -r routes.yaml --index qdrant", "  srouter push --index pinecone --region eu-west-1 --yes",
            "  srouter push --index file:.srouter-index --yes"})
final class PushCommand extends SyncRunner {
    @Override
    protected int doCall() throws Exception {
        return run(SyncStrategy.LOCAL, false);
    }
}
