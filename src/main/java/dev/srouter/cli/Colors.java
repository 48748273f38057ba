package dev.srouter.cli;

import picocli.CommandLine.Help.Ansi;

/**
 * Whether output gets colour, in this order: {@code --no-color} (or {@code SROUTER_NO_COLOR}) turns it off; a
 * non-empty {@code NO_COLOR} turns it off (no-color.org: an empty value does not count); {@code CLICOLOR_FORCE} set
 * to anything but empty or {@code 0} turns it on even without a terminal (bixense.com/clicolors); {@code TERM=dumb}
 * turns it off; otherwise colour is on only for a terminal.
 */
final class Colors {
    private Colors() {}

    static Ansi ansi(CliContext ctx, boolean noColorFlag) {
        return enabled(ctx, noColorFlag) ? Ansi.ON : Ansi.OFF;
    }

    static boolean enabled(CliContext ctx, boolean noColorFlag) {
        if (noColorFlag || ctx.env("NO_COLOR") != null) {
            return false;
        }
        String force = ctx.env("CLICOLOR_FORCE");
        if (force != null && !force.equals("0")) {
            return true;
        }
        if ("dumb".equals(ctx.env("TERM"))) {
            return false;
        }
        return ctx.interactive();
    }
}
