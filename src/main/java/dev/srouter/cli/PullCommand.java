package dev.srouter.cli;

import dev.srouter.core.SyncStrategy;
import picocli.CommandLine.Command;

@Command(
        name = "pull",
        mixinStandardHelpOptions = true,
        description = {"Make the routes file equal to the remote index: 'sync --strategy remote'.", "",
            "Creates the routes file when it does not exist; otherwise rewrites it keeping comments and order of unchanged parts "
                    + "(the previous file is kept as FILE.bak)."},
        footerHeading = "%nExamples:%n",
        footer = {"  srouter pull -r new.yaml --index qdrant --yes", "  srouter pull -r new.yaml --index file:.srouter-index --yes"})
final class PullCommand extends SyncRunner {
    @Override
    protected int doCall() throws Exception {
        return run(SyncStrategy.REMOTE, true);
    }
}
