package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shell completion as a person meets it: bash, zsh and fish in a tmux pane, the committed script
 * sourced, the built jar on PATH as {@code srouter}, Tab pressed, and the completed line run. The
 * route names come from the jar's {@code completion --list-routes}. A shell that is not installed
 * is skipped (.ci/run installs all three).
 */
class CompletionIT {
    private static final Path COMPLETIONS = JarIT.ROOT.resolve("completions");

    @TempDir
    Path tmp;

    private Tmux tmux;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(CompletionsTest.onPath("tmux"), "tmux is not installed");
        tmux = new Tmux("completion", 0, 60);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path srouter = bin.resolve("srouter");
        Files.writeString(srouter, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + JarIT.JAR
                + "' \"$@\"\n");
        Files.setPosixFilePermissions(srouter, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("work/idx"));
        Files.copy(Path.of(JarIT.ROUTES), tmp.resolve("work/routes.yaml"));
    }

    @AfterEach
    void killServer() throws Exception {
        if (tmux != null) {
            tmux.kill();
            Thread.sleep(300); // the shells end, and write nothing more into tmp
        }
    }

    @Test
    void bash() throws Exception {
        assumeTrue(CompletionsTest.onPath("bash"), "bash is not installed");
        start("bash --norc --noprofile", "PS1='$ '; source '" + COMPLETIONS.resolve("srouter.bash") + "'");
        exercise();
        // A directory goes on without a space: file:idx/ is followed by what is typed next.
        type("srouter --index file:i");
        keys("Tab");
        type("Z");
        await("file:idx/ without a space", s -> s.contains("$ srouter --index file:idx/Z"));
        keys("C-u");
    }

    @Test
    void zsh() throws Exception {
        assumeTrue(CompletionsTest.onPath("zsh"), "zsh is not installed");
        start("zsh -f", "PS1='$ '; source '" + COMPLETIONS.resolve("srouter.zsh") + "'");
        exercise();
        // Paths are zsh's own completion.
        type("srouter -r rou");
        keys("Tab");
        await("the routes file", s -> s.contains("$ srouter -r routes.yaml"));
        keys("C-u");
    }

    @Test
    void fish() throws Exception {
        assumeTrue(CompletionsTest.onPath("fish"), "fish is not installed");
        start("fish --no-config --private", "function fish_prompt; echo -n '$ '; end; source '" + COMPLETIONS.resolve("srouter.fish") + "'");
        exercise();
    }

    /** What every shell must do: values with a colon, then a route name with a space completed and the line run. */
    private void exercise() throws Exception {
        type("srouter sync --strategy merge-force-r");
        keys("Tab");
        await("the strategy", s -> s.contains("$ srouter sync --strategy merge-force-remote"));
        keys("C-u");

        type("srouter route --encoder local:b");
        keys("Tab");
        await("the encoder name with a colon", s -> s.contains("$ srouter route --encoder local:bge-small-en-v1.5"));
        keys("C-u");

        // The route names are read from the routes file on the line by the jar; the completed line,
        // with the name quoted as the shell needs it, routes to that route only.
        type("srouter route -r routes.yaml --no-color --filter cust");
        keys("Tab");
        await("the route name", s -> s.contains("--filter customer\\ support") || s.contains("--filter 'customer support'"));
        type(" -- 'where is my order?'");
        keys("Enter");
        String s = await("the decision", x -> x.lines().anyMatch(l -> l.matches("customer support \\d\\.\\d{4} .*") || l.equals("-")));
        assertTrue(s.lines().anyMatch(l -> l.matches("customer support \\d\\.\\d{4} .*")), s);
        keys("C-l");
    }

    private void start(String shell, String setup) throws Exception {
        String path = tmp.resolve("bin") + ":" + System.getenv("PATH");
        tmux.start(200, "env PATH='" + path + "' HOME='" + tmp.resolve("home") + "' HISTFILE=/dev/null SROUTER_CACHE_DIR='"
                + tmp.resolve("cache") + "' TERM=xterm-256color " + shell, tmp.resolve("work"));
        Thread.sleep(300);
        type(setup);
        keys("Enter");
        type("echo ready-\"\"42");
        keys("Enter");
        await("the shell", s -> s.contains("ready-42"));
        keys("C-l");
        Thread.sleep(200);
    }

    private void keys(String... keys) throws Exception {
        tmux.keys(keys);
    }

    private void type(String literal) throws Exception {
        tmux.type(literal);
    }

    private String await(String what, Predicate<String> condition) throws Exception {
        return tmux.await(what, condition);
    }
}
