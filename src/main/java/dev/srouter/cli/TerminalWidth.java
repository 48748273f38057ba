package dev.srouter.cli;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * How many columns a table may use: on a terminal, {@code $COLUMNS} when set (shells set it, and it lets a user ask
 * for a width), else the width JLine reads from the terminal; elsewhere (a pipe, a file, CI) {@link #DEFAULT}.
 */
final class TerminalWidth {
    static final int DEFAULT = 100;
    /** Narrower than this, no table is readable; a tiny or bogus width is taken as this. */
    static final int MINIMUM = 40;

    private TerminalWidth() {}

    static int of(CliContext ctx) {
        if (!ctx.interactive()) {
            return DEFAULT;
        }
        String columns = ctx.env("COLUMNS");
        if (columns != null) {
            try {
                return Math.max(MINIMUM, Integer.parseInt(columns.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to the terminal's own answer
            }
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            int width = terminal.getWidth();
            return width > 0 ? Math.max(MINIMUM, width) : DEFAULT;
        } catch (Exception | LinkageError e) {
            return DEFAULT;
        }
    }
}
