package dev.srouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * {@code srouter: what went wrong}, not a stack trace (that needs {@code -v}). Under {@code -o json} the
 * message is one JSON line on stderr instead, always its last line (docs/json-output.md):
 * {@code {"error":{"code":4,"kind":"unreachable","message":"..."}}}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler, IExitCodeExceptionMapper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CliContext ctx;

    ErrorHandler(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        boolean verbose = cmd.getCommandSpec().root().userObject() instanceof RootCommand root && root.verbose();
        boolean json = json(cmd, parseResult.originalArgs().toArray(String[]::new));
        SrouterException known = find(ex);
        if (verbose) {
            (known != null ? known : ex).printStackTrace(ctx.err()); // before the message: under -o json that stays the last line
        }
        if (known != null) {
            print(cmd, json, known.exitCode(), kind(known.exitCode()), known.getMessage());
            return known.exitCode();
        }
        print(cmd, json, ExitCode.FAILURE, "internal", "internal error: " + ex + (verbose ? "" : " (run with -v for details)"));
        return ExitCode.FAILURE;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            ex = asTyped(unmatched);
        }
        String suggestion = ex instanceof CommandLine.UnmatchedArgumentException unmatched ? suggest(unmatched, cmd) : null;
        if (json(cmd, args)) {
            print(cmd, true, ExitCode.USAGE, kind(ExitCode.USAGE), ex.getMessage() + (suggestion == null ? "" : " " + suggestion));
            return ExitCode.USAGE;
        }
        print(cmd, false, ExitCode.USAGE, kind(ExitCode.USAGE), ex.getMessage());
        if (suggestion != null) {
            cmd.getErr().println(suggestion);
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            endOfOptionsHint(unmatched, cmd);
        }
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCode.USAGE;
    }

    /** The stable {@code kind} of an error in JSON, one per exit code (README, "Exit codes"). */
    static String kind(int exitCode) {
        return switch (exitCode) {
            case ExitCode.DIFFERENT -> "different";
            case ExitCode.LOCKED -> "locked";
            case ExitCode.UNREACHABLE -> "unreachable";
            case ExitCode.USAGE -> "usage";
            case ExitCode.INVALID_ROUTES -> "invalid_routes";
            default -> "failure";
        };
    }

    /**
     * Whether errors are JSON: {@code -o json} parsed, or, for an error found while parsing, the last {@code -o} /
     * {@code --output} among the arguments, else {@code SROUTER_OUTPUT}.
     */
    private boolean json(CommandLine cmd, String[] args) {
        if (cmd.getCommandSpec().root().userObject() instanceof RootCommand root && root.output == OutputFormat.json) {
            return true;
        }
        String format = ctx.env(EnvDefaults.variableFor("--output"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if ((a.equals("-o") || a.equals("--output")) && i + 1 < args.length) {
                format = args[++i];
            } else if (a.startsWith("--output=")) {
                format = a.substring("--output=".length());
            } else if (a.startsWith("-o") && !a.startsWith("--")) {
                format = a.substring(2).replaceFirst("^=", "");
            }
        }
        return "json".equalsIgnoreCase(format);
    }

    @Override
    public int getExitCode(Throwable exception) {
        SrouterException known = find(exception);
        return known != null ? known.exitCode() : ExitCode.FAILURE;
    }

    /** A did-you-mean for a mistyped option or command, by edit distance over what this command accepts. */
    private static String suggest(CommandLine.UnmatchedArgumentException ex, CommandLine cmd) {
        java.util.List<String> known = new java.util.ArrayList<>(cmd.getCommandSpec().optionsMap().keySet());
        known.addAll(cmd.getSubcommands().keySet());
        for (String arg : ex.getUnmatched()) {
            String word = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            java.util.List<String> close = dev.srouter.core.EditDistance.closest(word, known);
            if (!close.isEmpty()) {
                return "Did you mean: " + String.join(" or ", close) + "?";
            }
        }
        return null;
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
                cmd.getErr().println("To pass a text that starts with '-', put -- before it: " + cmd.getCommandSpec().qualifiedName() + " -- "
                        + Shell.quoted(arg));
            }
        });
    }

    private void print(CommandLine cmd, boolean json, int code, String kind, String message) {
        if (json) {
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("code", code).put("kind", kind).put("message", message);
            cmd.getErr().println(error.toString());
        } else {
            cmd.getErr().println(cmd.getColorScheme().errorText("srouter: " + message));
        }
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
