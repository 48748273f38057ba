package dev.srouter.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Builds the configured {@link CommandLine} (writers, environment defaults, error handling, exit
 * codes) and runs it. {@code Main} and the tests go through the same factory.
 */
public final class SrouterCli {
    private SrouterCli() {}

    public static int run(CliContext ctx, String... args) {
        try {
            return build(ctx).execute(args);
        } finally {
            ctx.out().flush();
            ctx.err().flush();
        }
    }

    public static CommandLine build(CliContext ctx) {
        CommandLine cmd = new CommandLine(new RootCommand(ctx));
        cmd.setOut(ctx.out());
        cmd.setErr(ctx.err());
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Colors.ansi(ctx, false)));
        cmd.setDefaultValueProvider(new EnvDefaults(ctx.env()));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setAbbreviatedOptionsAllowed(false);
        ErrorHandler handler = new ErrorHandler(ctx);
        cmd.setExecutionExceptionHandler(handler);
        cmd.setParameterExceptionHandler(handler);
        cmd.setExitCodeExceptionMapper(handler);
        cmd.setExecutionStrategy(SrouterCli::execute);
        HelpLayout.apply(cmd);
        return cmd;
    }

    /**
     * picocli's {@code RunLast}, except that an argument that matched nothing is an error even
     * when {@code -h} or {@code -V} was also found: {@code route "-hello there"} is read as the
     * cluster {@code -h -ello there}, and must not print help and exit 0.
     */
    private static int execute(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }
}
