package dev.srouter.cli;

import java.util.regex.Pattern;

/** Texts shown as part of a command to copy into a POSIX shell. */
final class Shell {
    /** Words a POSIX shell takes as they are: anything else is single-quoted by {@link #word}. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private Shell() {}

    /** {@code s} single-quoted, its own single quotes written {@code '\''}. */
    static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** {@code s} as one word: as it is when that is safe, else {@link #quoted}. */
    static String word(String s) {
        return PLAIN_WORD.matcher(s).matches() ? s : quoted(s);
    }
}
