package dev.srouter.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the real CLI in-process, as Main does, with captured writers. */
final class CliRunner {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private InputStream stdinStream;
    private boolean interactive;
    private PrintWriter outOverride;

    CliRunner(Path cacheDir) {
        env.put("SROUTER_CACHE_DIR", cacheDir.toString());
        env.put("HOME", System.getProperty("user.home"));
    }

    CliRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    CliRunner stdin(String text) {
        this.stdin = text;
        return this;
    }

    CliRunner stdin(InputStream in) {
        this.stdinStream = in;
        return this;
    }

    CliRunner interactive(boolean on) {
        this.interactive = on;
        return this;
    }

    CliRunner out(PrintWriter out) {
        this.outOverride = out;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = stdinStream != null ? stdinStream : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        CliContext ctx = new CliContext(outOverride != null ? outOverride : new PrintWriter(out), new PrintWriter(err), in, Map.copyOf(env),
                interactive);
        int exit = SrouterCli.run(ctx, args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** The repository's example routes file (tests run with the project root as working directory). */
    static String exampleRoutes() {
        return Path.of("routes-example.yaml").toAbsolutePath().toString();
    }
}
