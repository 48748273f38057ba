package dev.srouter.core;

/**
 * A failure the user can act on: its message is one line, shown as is, and it carries
 * the exit code the process ends with. Anything else that escapes is a bug.
 */
public class SrouterException extends RuntimeException {
    private final int exitCode;

    public SrouterException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public SrouterException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** A remote service (encoder or index) could not be reached or refused our credentials. */
    public static SrouterException unreachable(String message, Throwable cause) {
        return new SrouterException(ExitCode.UNREACHABLE, message, cause);
    }

    public static SrouterException failure(String message) {
        return new SrouterException(ExitCode.FAILURE, message);
    }

    public static SrouterException usage(String message) {
        return new SrouterException(ExitCode.USAGE, message);
    }
}
