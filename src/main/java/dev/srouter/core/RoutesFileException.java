package dev.srouter.core;

import java.nio.file.Path;

/** The routes file is missing or invalid: exit code 65, message {@code file:line:column: what}. */
public final class RoutesFileException extends SrouterException {
    private final Path file;
    private final int line;
    private final int column;
    private final String problem;

    /** @param line 1-based, or 0 when the problem has no position (missing file) */
    public RoutesFileException(Path file, int line, int column, String problem) {
        super(ExitCode.INVALID_ROUTES, format(file, line, column, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    private static String format(Path file, int line, int column, String problem) {
        return line > 0 ? file + ":" + line + ":" + column + ": " + problem : file + ": " + problem;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without the position prefix. */
    public String problem() {
        return problem;
    }
}
