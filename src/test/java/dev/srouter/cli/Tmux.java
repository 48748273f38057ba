package dev.srouter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A tmux server of a terminal test's own (its own socket): one session in a pseudo-terminal, keys
 * typed into it, its screen read as a person would see it, and waits for what should appear.
 */
final class Tmux {
    private final String session;
    private final int history;
    private final long timeoutSeconds;
    private String socket;
    private int servers;

    /**
     * @param history lines of scrollback above the screen that {@link #screen} includes (0: the screen only)
     * @param timeoutSeconds how long {@link #await} waits
     */
    Tmux(String name, int history, long timeoutSeconds) {
        this.session = name;
        this.history = history;
        this.timeoutSeconds = timeoutSeconds;
        this.socket = "srouter-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    static boolean installed() throws IOException, InterruptedException {
        return exec(List.of("tmux", "-V")).startsWith("tmux");
    }

    /** Starts the session running {@code shellCommand} (a line for sh), {@code columns} wide, in {@code dir} (null: here). */
    void start(int columns, String shellCommand, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", String.valueOf(columns),
                "-y", "50"));
        if (dir != null) {
            cmd.addAll(List.of("-c", dir.toString()));
        }
        cmd.add(shellCommand);
        exec(cmd);
    }

    String screen() throws IOException, InterruptedException {
        return capture(false);
    }

    /** The screen with lines the terminal wrapped joined again, as the program wrote them. */
    String joinedScreen() throws IOException, InterruptedException {
        return capture(true);
    }

    private String capture(boolean joined) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "capture-pane", "-p"));
        if (joined) {
            cmd.add("-J");
        }
        cmd.addAll(List.of("-t", session));
        if (history > 0) {
            cmd.addAll(List.of("-S", "-" + history));
        }
        return exec(cmd);
    }

    void keys(String... keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        exec(cmd);
    }

    void type(String literal) throws IOException, InterruptedException {
        exec(List.of("tmux", "-L", socket, "send-keys", "-t", session, "-l", literal));
    }

    /** The screen once {@code condition} holds for it; an AssertionError with the screen after the timeout. */
    String await(String what, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen();
            if (condition.test(s)) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; screen:\n" + s);
    }

    /** Ends this server and moves to a fresh one for the next {@link #start}: the old one may still be shutting down. */
    void restart() throws IOException, InterruptedException {
        kill();
        socket = socket.replaceFirst("~\\d+$", "") + "~" + ++servers;
    }

    void kill() throws IOException, InterruptedException {
        exec(List.of("tmux", "-L", socket, "kill-server"));
    }

    /**
     * Output goes through a file, not a pipe: the tmux server that new-session forks would inherit
     * a pipe and hold it open, so reading it to the end would block.
     */
    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("srouter-tmux", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
