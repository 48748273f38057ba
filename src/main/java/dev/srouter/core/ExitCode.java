package dev.srouter.core;

/** Process exit codes, as documented in README.md ("Exit codes"). */
public final class ExitCode {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int DIFFERENT = 2;
    public static final int LOCKED = 3;
    public static final int UNREACHABLE = 4;
    public static final int USAGE = 64;
    public static final int INVALID_ROUTES = 65;

    private ExitCode() {}
}
