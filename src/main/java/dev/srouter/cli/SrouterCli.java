package dev.srouter.cli;

import picocli.CommandLine;

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
        return cmd;
    }
}
