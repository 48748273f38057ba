package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.SrouterException;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a shell completion script for bash, zsh or fish.",
            "",
            "It completes commands, options, the values of --strategy, --encoder, --index, -o, --aggregation and --cloud, "
                    + "paths, and route names for --filter, read from the routes file on the line (-r) when you press Tab.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  source <(srouter completion bash)   # bash: this shell; or put it in ~/.bashrc",
            "  source <(srouter completion zsh)    # zsh: put the line in ~/.zshrc",
            "  srouter completion fish > ~/.config/fish/completions/srouter.fish",
        })
final class CompletionCommand extends BaseCommand {
    enum Shell { bash, zsh, fish }

    @Parameters(paramLabel = "SHELL", arity = "0..1", description = "bash, zsh or fish.")
    Shell shell;

    /** What the scripts call at completion time: the route names of -r FILE, one per line. */
    @Option(names = "--list-routes", hidden = true)
    boolean listRoutes;

    @Override
    Set<OutputFormat> outputFormats() {
        return EnumSet.of(OutputFormat.text);
    }

    @Override
    protected int doCall() {
        if (listRoutes) {
            // Names that would break a line-based list cannot be completed; none of semantic-router's have one.
            RoutesFile.read(root.routes, warning -> { }).routes().stream()
                    .map(Route::name)
                    .filter(name -> !name.contains("\n") && !name.contains("\r"))
                    .forEach(out()::println);
        } else if (shell != null) {
            out().print(script(shell, spec.root().commandLine()));
        } else {
            throw SrouterException.usage("which shell? srouter completion bash, zsh or fish");
        }
        out().flush();
        return ExitCode.OK;
    }

    /** The script for {@code shell}, generated from the command model (the committed files in completions/ are kept equal to it). */
    static String script(Shell shell, CommandLine root) {
        return switch (shell) {
            case bash -> CompletionScripts.bash(root);
            case zsh -> CompletionScripts.zsh(root);
            case fish -> CompletionScripts.fish(root);
        };
    }
}
