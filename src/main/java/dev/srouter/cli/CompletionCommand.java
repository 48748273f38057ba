package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = "Print a shell completion script for bash or zsh.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  source <(srouter completion bash)   # bash: this shell; or put it in ~/.bashrc",
            "  source <(srouter completion zsh)    # zsh: put the line in ~/.zshrc",
        })
final class CompletionCommand extends BaseCommand {
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    java.util.Set<OutputFormat> outputFormats() {
        return java.util.EnumSet.of(OutputFormat.text);
    }

    @Override
    protected int doCall() {
        out().print(script(shell, spec.root().commandLine()));
        out().flush();
        return ExitCode.OK;
    }

    /** The script for {@code shell}, generated from the command model (the committed files in completions/ are kept equal to it). */
    static String script(Shell shell, CommandLine root) {
        String bash = AutoComplete.bash("srouter", root);
        if (shell == Shell.bash) {
            return bash;
        }
        // picocli's script runs in zsh through bashcompinit. It is meant to be sourced (its compopt
        // alias is not applied when the file is autoloaded from $fpath), so it carries no #compdef.
        return "# zsh completion for srouter: put `source <(srouter completion zsh)` in ~/.zshrc\n"
                + "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }\n"
                + "autoload -U +X bashcompinit && bashcompinit\n" + bash;
    }
}
