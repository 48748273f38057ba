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
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            ex = asTyped(unmatched);
        }
        print(cmd, ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            suggest(unmatched, cmd);
            endOfOptionsHint(unmatched, cmd);
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

    private static final java.util.regex.Pattern CLUSTER_REST = java.util.regex.Pattern.compile("\\(while processing option: '(.*?)'\\)");

    /**
     * picocli reports the unknown rest of a cluster of short options as "'REST' (while processing
     * option: 'ARG')"; {@code route "-hello there"} reads better as the argument that was typed.
     */
    private static CommandLine.UnmatchedArgumentException asTyped(CommandLine.UnmatchedArgumentException ex) {
        java.util.regex.Matcher m = CLUSTER_REST.matcher(String.valueOf(ex.getMessage()));
        if (!m.find() || ex.getUnmatched().isEmpty()) {
            return ex;
        }
        java.util.List<String> typed = new java.util.ArrayList<>(ex.getUnmatched());
        typed.set(0, m.group(1));
        return new CommandLine.UnmatchedArgumentException(ex.getCommandLine(), typed);
    }

    /**
     * A text that starts with '-' reads as an option: when the command takes texts, say how to
     * pass one ({@code --} ends the options).
     */
    private static void endOfOptionsHint(CommandLine.UnmatchedArgumentException ex, CommandLine cmd) {
        boolean takesTexts = cmd.getCommandSpec().positionalParameters().stream()
                .anyMatch(p -> p.type() == String.class || p.typeInfo().isMultiValue() && p.typeInfo().getAuxiliaryTypes()[0] == String.class);
        ex.getUnmatched().stream().filter(a -> a.startsWith("-") && a.length() > 1 && !a.equals("--")).findFirst().ifPresent(arg -> {
            if (takesTexts) {
                String quoted = "'" + arg.replace("'", "'\\''") + "'";
                cmd.getErr().println("To pass a text that starts with '-', put -- before it: " + cmd.getCommandSpec().qualifiedName() + " -- " + quoted);
            }
        });
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
