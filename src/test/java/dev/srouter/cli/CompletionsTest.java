package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.srouter.core.ExitCode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The completion scripts committed in completions/ (shipped in the release archives) must be
 * exactly what {@code srouter completion SHELL} prints for the current command model.
 */
class CompletionsTest {
    private static final Path COMPLETIONS = Path.of(System.getProperty("basedir", ".")).resolve("completions");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CliContext ctx =
            new CliContext(new PrintWriter(out), new PrintWriter(err), InputStream.nullInputStream(), Map.of(), false);

    @Test
    void committedBashScriptIsUpToDate() throws IOException {
        assertCommitted(CompletionCommand.Shell.bash, "srouter.bash");
    }

    @Test
    void committedZshScriptIsUpToDate() throws IOException {
        assertCommitted(CompletionCommand.Shell.zsh, "srouter.zsh");
    }

    @Test
    void completionCommandPrintsTheScript() {
        int code = SrouterCli.run(ctx, "completion", "bash");

        assertEquals(ExitCode.OK, code, err.toString());
        assertEquals(CompletionCommand.script(CompletionCommand.Shell.bash, SrouterCli.build(ctx)), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void unknownShellIsAUsageError() {
        int code = SrouterCli.run(ctx, "completion", "fish");

        assertEquals(ExitCode.USAGE, code);
        assertEquals("", out.toString());
        assertTrue(err.toString().contains("fish"), err.toString());
    }

    /** The bash script loads and completes subcommands and options (skipped where bash is missing). */
    @Test
    void bashScriptCompletes() throws Exception {
        assumeTrue(onPath("bash"), "bash is not on PATH");
        String script = String.join("\n",
                "source \"$1\" || exit 1",
                "complete -p srouter || exit 1",
                "# The completion function returns the status of its last test, and compopt complains",
                "# outside of a real completion: only COMPREPLY matters.",
                "COMP_WORDS=(srouter ''); COMP_CWORD=1; COMP_LINE='srouter '; COMP_POINT=${#COMP_LINE}",
                "_complete_srouter srouter '' srouter 2>/dev/null || true",
                "echo \"commands: ${COMPREPLY[*]}\"",
                "COMP_WORDS=(srouter completion ''); COMP_CWORD=2; COMP_LINE='srouter completion '; COMP_POINT=${#COMP_LINE}",
                "_complete_srouter srouter '' completion 2>/dev/null || true",
                "echo \"shells: ${COMPREPLY[*]}\"",
                "");
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script, "bash",
                        COMPLETIONS.resolve("srouter.bash").toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not finish");

        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("complete -o default -F _complete_srouter srouter"), output);
        String commands = String.join(" ", SrouterCli.build(new CliContext(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter()), java.io.InputStream.nullInputStream(), java.util.Map.of(), false))
                .getSubcommands().keySet());
        assertTrue(output.contains("commands: " + commands), "every command completes (" + commands + "): " + output);
        assertTrue(output.contains("shells: bash zsh"), output);
    }

    private void assertCommitted(CompletionCommand.Shell shell, String file) throws IOException {
        CommandLine cmd = SrouterCli.build(ctx);
        String expected = CompletionCommand.script(shell, cmd);
        Path path = COMPLETIONS.resolve(file);
        String regenerate = "regenerate it with\n  ./srouter completion " + shell + " > completions/" + file + "\nand commit it.";
        assertTrue(Files.isRegularFile(path), path + " is missing: " + regenerate);
        assertEquals(expected, Files.readString(path, StandardCharsets.UTF_8),
                "completions/" + file + " differs from what the command model generates: " + regenerate);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
