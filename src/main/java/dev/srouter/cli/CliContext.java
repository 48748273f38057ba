package dev.srouter.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the CLI may touch of the outside world, so that tests can run it in-process: writers,
 * standard input, the environment, and whether a person is at a terminal.
 *
 * @param interactive standard input and output are a terminal (decides REPL vs usage error, and confirmation prompts)
 */
public record CliContext(PrintWriter out, PrintWriter err, InputStream in, Map<String, String> env, boolean interactive) {

    /** The process's own stderr writer, once {@link #system()} made it: what may carry terminal-only output such as progress. */
    private static volatile PrintWriter systemErr;

    public static CliContext system() {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.out), StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        systemErr = err;
        return new CliContext(out, err, System.in, System.getenv(), System.console() != null);
    }

    /** Whether {@link #err()} is the process's stderr (not a test's buffer), so that drawing on the terminal behind it reaches it. */
    public boolean writesToSystemErr() {
        return err == systemErr;
    }

    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }
}
