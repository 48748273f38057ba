package dev.srouter.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "repl",
        mixinStandardHelpOptions = true,
        description = {
            "Route utterances typed at an interactive prompt.",
            "",
            "Line editing, history (~/.srouter_history, or SROUTER_HISTORY), tab completion of commands and "
                    + "route names. Commands: :explain on|off, :threshold X, :routes, :help, :quit (or exit, quit). "
                    + "Ctrl-C clears the line, Ctrl-D exits.",
        },
        footerHeading = "%nExamples:%n",
        footer = {"  srouter repl -r routes-example.yaml", "  srouter repl -r routes.yaml --explain --threshold 0.5"})
final class ReplCommand extends BaseCommand {
    @Mixin
    RoutingOptions routing;

    @Override
    java.util.Set<OutputFormat> outputFormats() {
        return java.util.EnumSet.allOf(OutputFormat.class);
    }

    @Override
    protected int doCall() throws Exception {
        return runRepl(this, routing);
    }

    static int runRepl(BaseCommand command, RoutingOptions routing) throws IOException {
        String history = command.ctx().env("SROUTER_HISTORY");
        Path historyFile = history != null ? Path.of(history) : Path.of(System.getProperty("user.home"), ".srouter_history");
        try (RoutingSetup setup = RoutingSetup.open(command.root, routing, true, command::debug, command::warn)) {
            DecisionRenderer renderer = new DecisionRenderer(command.root.output, routing.explain, routing.limit > 1, command.ansi());
            return new Repl(setup, renderer, historyFile, command.root.quiet).run();
        }
    }
}
