package dev.srouter.cli;

import picocli.CommandLine.Help.Ansi;

/** Colour is on only for a terminal, and off with {@code --no-color} or a set {@code NO_COLOR}. */
final class Colors {
    private Colors() {}

    static Ansi ansi(CliContext ctx, boolean noColorFlag) {
        if (noColorFlag || ctx.env().containsKey("NO_COLOR") || !ctx.interactive()) {
            return Ansi.OFF;
        }
        return Ansi.ON;
    }
}
