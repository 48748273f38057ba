package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become a one-line message on stderr and an exit code. Users see
 * {@code srouter: what went wrong}, not a stack trace (that needs {@code -v}).
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler, IExitCodeExceptionMapper {
    private final CliContext ctx;

    ErrorHandler(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        boolean verbose = cmd.getCommandSpec().root().userObject() instanceof RootCommand root && root.verbose();
        SrouterException known = find(ex);
        if (known != null) {
            print(cmd, known.getMessage());
            if (verbose) {
                known.printStackTrace(ctx.err());
            }
            return known.exitCode();
        }
        print(cmd, "internal error: " + ex + (verbose ? "" : " (run with -v for details)"));
        if (verbose) {
            ex.printStackTrace(ctx.err());
        }
        return ExitCode.FAILURE;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        print(cmd, ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            suggest(unmatched, cmd);
        }
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCode.USAGE;
    }

    @Override
    public int getExitCode(Throwable exception) {
        SrouterException known = find(exception);
        return known != null ? known.exitCode() : ExitCode.FAILURE;
    }

    /** A did-you-mean for a mistyped option or command, by edit distance over what this command accepts. */
    private static void suggest(CommandLine.UnmatchedArgumentException ex, CommandLine cmd) {
        java.util.List<String> known = new java.util.ArrayList<>(cmd.getCommandSpec().optionsMap().keySet());
        known.addAll(cmd.getSubcommands().keySet());
        for (String arg : ex.getUnmatched()) {
            String word = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            java.util.List<String> close = Suggestions.closest(word, known);
            if (!close.isEmpty()) {
                cmd.getErr().println("Did you mean: " + String.join(" or ", close) + "?");
                return;
            }
        }
    }

    private void print(CommandLine cmd, String message) {
        cmd.getErr().println(cmd.getColorScheme().errorText("srouter: " + message));
        cmd.getErr().flush();
    }

    private static SrouterException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SrouterException s) {
                return s;
            }
        }
        return null;
    }
}
