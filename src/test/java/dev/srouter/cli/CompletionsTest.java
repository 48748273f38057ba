package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SyncStrategy;
import dev.srouter.encoder.Encoders;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Shell completion: the scripts committed in completions/ (shipped in the release archives) are
 * exactly what {@code srouter completion SHELL} prints for the current command model, and each one,
 * run by its shell, offers what the command model and the routes file say. bash, zsh and fish run
 * where they are installed (.ci/run installs them); the tests of a missing one are skipped.
 */
class CompletionsTest {
    private static final Path COMPLETIONS = Path.of(System.getProperty("basedir", ".")).resolve("completions");

    /** Routes for --filter, as {@code srouter completion --list-routes} prints them; one has a space. */
    private static final List<String> ROUTES = List.of("customer support", "politics", "chitchat");

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CliContext ctx =
            new CliContext(new PrintWriter(out), new PrintWriter(err), InputStream.nullInputStream(), Map.of(), false);

    private CommandLine model() {
        return SrouterCli.build(new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                InputStream.nullInputStream(), Map.of(), false));
    }

    private List<String> commands() {
        return List.copyOf(model().getSubcommands().keySet());
    }

    // ------------------------------------------------------------------------------ the scripts

    @Test
    void committedBashScriptIsUpToDate() throws IOException {
        assertCommitted(CompletionCommand.Shell.bash, "srouter.bash");
    }

    @Test
    void committedZshScriptIsUpToDate() throws IOException {
        assertCommitted(CompletionCommand.Shell.zsh, "srouter.zsh");
    }

    @Test
    void committedFishScriptIsUpToDate() throws IOException {
        assertCommitted(CompletionCommand.Shell.fish, "srouter.fish");
    }

    @Test
    void completionCommandPrintsTheScript() {
        for (CompletionCommand.Shell shell : CompletionCommand.Shell.values()) {
            out.getBuffer().setLength(0);
            int code = SrouterCli.run(ctx, "completion", shell.name());

            assertEquals(ExitCode.OK, code, err.toString());
            assertEquals(CompletionCommand.script(shell, model()), out.toString());
            assertEquals("", err.toString());
        }
    }

    @Test
    void unknownOrMissingShellIsAUsageError() {
        assertEquals(ExitCode.USAGE, SrouterCli.run(ctx, "completion", "tcsh"));
        assertEquals("", out.toString());
        assertTrue(err.toString().contains("tcsh"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(ExitCode.USAGE, SrouterCli.run(ctx, "completion"));
        assertTrue(err.toString().contains("bash, zsh or fish"), err.toString());
    }

    @Test
    void theModelNamesEveryVisibleOptionAndTheValuesTheParsersAccept() {
        CompletionScripts.Model model = CompletionScripts.model(model());
        Map<String, CompletionScripts.Opt> byName = model.byName();
        for (CommandLine sub : model().getSubcommands().values()) {
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                for (String name : o.names()) {
                    assertEquals(!o.hidden(), byName.containsKey(name), sub.getCommandName() + " " + name);
                }
            }
        }
        assertEquals(SyncStrategy.cliNames(), byName.get("--strategy").words());
        assertEquals(Encoders.COMPLETIONS, byName.get("--encoder").words());
        assertEquals(Arrays.stream(OutputFormat.values()).map(Enum::name).toList(), byName.get("-o").words());
        assertEquals(List.of("mean", "max", "sum"), byName.get("--aggregation").words());
        assertEquals(CompletionScripts.Kind.ROUTES, byName.get("--filter").kind());
        assertEquals(CompletionScripts.Kind.INDEX, byName.get("--index").kind());
        assertEquals(CompletionScripts.Kind.FILE, byName.get("--routes").kind());
        assertEquals(CompletionScripts.Kind.DIR, byName.get("--cache-dir").kind());
        assertEquals(CompletionScripts.Kind.FILE, byName.get("--data").kind(), "a repeatable path option completes files too");
        assertEquals(CompletionScripts.Kind.NONE, byName.get("--yes").kind());
        assertEquals(CompletionScripts.Kind.TEXT, byName.get("--threshold").kind());
    }

    @Test
    void anOptionThatTakesDifferentValuesInTwoCommandsCannotBeGenerated() {
        CompletionScripts.Opt words = new CompletionScripts.Opt(List.of("--mode"), CompletionScripts.Kind.WORDS, List.of("a"), "");
        CompletionScripts.Opt text = new CompletionScripts.Opt(List.of("--mode"), CompletionScripts.Kind.TEXT, List.of(), "");
        CompletionScripts.Model model = new CompletionScripts.Model(List.of(), List.of(
                new CompletionScripts.Cmd("one", "", List.of(words), List.of()), new CompletionScripts.Cmd("two", "", List.of(text), List.of())));

        assertThrows(IllegalStateException.class, model::byName);
    }

    // ------------------------------------------------------------------- completion --list-routes

    @Test
    void listRoutesPrintsTheRouteNamesOfTheRoutesFile() throws IOException {
        Path file = routesFile();

        int code = SrouterCli.run(ctx, "completion", "--list-routes", "-r", file.toString());

        assertEquals(ExitCode.OK, code, err.toString());
        assertEquals(ROUTES, out.toString().lines().toList());
    }

    @Test
    void listRoutesOfAMissingFileFailsWithNothingOnStdout() {
        int code = SrouterCli.run(ctx, "completion", "--list-routes", "-r", tmp.resolve("missing.yaml").toString());

        assertEquals(ExitCode.INVALID_ROUTES, code);
        assertEquals("", out.toString());
    }

    @Test
    void listRoutesIsNotInTheHelp() {
        SrouterCli.run(ctx, "completion", "--help");

        assertTrue(out.toString().contains("fish"), out.toString());
        assertTrue(!out.toString().contains("--list-routes"), out.toString());
    }

    // ----------------------------------------------------------------------------------- bash

    @Nested
    class Bash {
        /**
         * Completes the word at {@code cword} of {@code words} as bash does: the words are split as
         * readline splits them (at COMP_WORDBREAKS: {@code local:b} is {@code local : b}, {@code
         * --output=j} is {@code --output = j}); prints COMPREPLY, one reply per line.
         */
        private List<String> complete(String... words) throws Exception {
            assumeTrue(onPath("bash"), "bash is not on PATH");
            String script = String.join("\n",
                    "source \"$1\" || exit 1",
                    "shift",
                    stubSrouter("srouter() { ", "; }", "\"$*\""),
                    "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}",
                    "_srouter srouter \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"",
                    "printf '%s\\n' \"${COMPREPLY[@]}\"",
                    "");
            List<String> cmd = new ArrayList<>(List.of("bash", "--norc", "--noprofile", "-c", script, "bash",
                    COMPLETIONS.resolve("srouter.bash").toString()));
            cmd.addAll(List.of(words));
            return run(cmd);
        }

        @Test
        void registersForSrouter() throws Exception {
            assumeTrue(onPath("bash"), "bash is not on PATH");
            List<String> lines = run(List.of("bash", "--norc", "--noprofile", "-c", "source \"$1\" && complete -p srouter", "bash",
                    COMPLETIONS.resolve("srouter.bash").toString()));
            assertEquals(List.of("complete -F _srouter srouter"), lines);
        }

        @Test
        void commandsAndTheirOwnOptions() throws Exception {
            assertEquals(commands(), complete("srouter", ""));
            assertEquals(List.of("completion"), complete("srouter", "comp"));
            assertEquals(List.of("--strategy"), complete("srouter", "sync", "--strat"));
            assertEquals(List.of("--strategy"), complete("srouter", "--index", "qdrant", "diff", "--strat"));
            assertEquals(List.of(), complete("srouter", "route", "--strat"), "route has no --strategy");
            assertEquals(List.of("--filter"), complete("srouter", "repl", "--fil"));
            assertEquals(List.of("--index", "--index-name"), complete("srouter", "--ind"), "global options before the command");
        }

        @Test
        void valuesOfOptions() throws Exception {
            assertEquals(SyncStrategy.cliNames(), complete("srouter", "sync", "--strategy", ""));
            assertEquals(List.of("merge-force-remote", "merge-force-local"), complete("srouter", "sync", "--strategy", "merge-"));
            assertEquals(Encoders.COMPLETIONS, complete("srouter", "route", "--encoder", ""));
            assertEquals(List.of("text", "json", "tsv"), complete("srouter", "-o", ""));
            assertEquals(List.of("bash", "zsh", "fish"), complete("srouter", "completion", ""));
            assertEquals(List.of(), complete("srouter", "route", "--threshold", ""), "free text: nothing to offer");
            assertEquals(List.of(), complete("srouter", "route", "--", "--fil"), "after --, only text to route");
        }

        @Test
        void valuesWithAColonOrAfterAnEqualsSign() throws Exception {
            // bash replaces only the part after the ':' or '=', so that is what the reply holds.
            assertEquals(List.of("bge-small-en-v1.5"), complete("srouter", "--encoder", "local", ":", "b"));
            assertEquals(List.of("all-MiniLM-L6-v2", "bge-small-en-v1.5"), complete("srouter", "--encoder", "local", ":"));
            assertEquals(List.of("json"), complete("srouter", "--output", "=", "j"));
            assertEquals(List.of("merge-force-local"), complete("srouter", "sync", "--strategy", "=", "merge-force-l"));
        }

        @Test
        void routeNamesComeFromTheRoutesFileOnTheLine() throws Exception {
            Path file = routesFile();
            Path calls = tmp.resolve("calls");

            assertEquals(List.of("customer\\ support"), complete("srouter", "route", "-r", file.toString(), "--filter", "cu"));
            assertEquals(List.of("completion --list-routes --routes " + file), Files.readAllLines(calls));
            assertEquals(List.of("\"customer support\""), complete("srouter", "route", "--routes=" + file, "--filter", "\"cu"));
            assertEquals(List.of("politics,customer\\ support", "politics,chitchat"),
                    complete("srouter", "repl", "-r", file.toString(), "--filter", "politics,"), "names already given are not offered again");
            Files.delete(calls);
            assertEquals(ROUTES.stream().map(r -> r.replace(" ", "\\ ")).toList(), complete("srouter", "route", "--filter", ""));
            assertEquals(List.of("completion --list-routes"), Files.readAllLines(calls), "srouter's own default routes file");
        }

        @Test
        void pathsAndIndexDirectories() throws Exception {
            Files.createDirectories(tmp.resolve("work/my index"));
            Files.writeString(tmp.resolve("work/routes.yaml"), "routes: []\n");

            assertEquals(List.of("local", "file:", "qdrant", "pinecone", "postgres"), complete("srouter", "--index", ""));
            assertEquals(List.of("my\\ index/"), completeIn(tmp.resolve("work"), "srouter", "--index", "file", ":"));
            assertEquals(List.of("my\\ index/"), completeIn(tmp.resolve("work"), "srouter", "--index", "file", ":", "my"));
            assertEquals(List.of("routes.yaml"), completeIn(tmp.resolve("work"), "srouter", "-r", "rou"));
            assertEquals(List.of("routes.yaml"), completeIn(tmp.resolve("work"), "srouter", "--routes", "=", "rou"));
            assertEquals(List.of("my\\ index/"), completeIn(tmp.resolve("work"), "srouter", "--cache-dir", ""));
        }

        private List<String> completeIn(Path dir, String... words) throws Exception {
            cwd = dir;
            return complete(words);
        }
    }

    // ------------------------------------------------------------------------------------ zsh

    @Nested
    class Zsh {
        /** Calls the function as zsh's bashcompinit does, with the words unsplit (zsh does not split at ':' or '='). */
        private List<String> complete(String... words) throws Exception {
            assumeTrue(onPath("zsh"), "zsh is not on PATH");
            String script = String.join("\n",
                    "source \"$1\" || exit 1",
                    "shift",
                    stubSrouter("srouter() { ", "; }", "\"$*\""),
                    "setopt ksharrays",
                    "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))",
                    "_srouter",
                    "print -rl -- \"${COMPREPLY[@]}\"",
                    "");
            List<String> cmd = new ArrayList<>(List.of("zsh", "-f", "-c", script, "zsh", COMPLETIONS.resolve("srouter.zsh").toString()));
            cmd.addAll(List.of(words));
            return run(cmd).stream().filter(l -> !l.isEmpty()).toList();
        }

        @Test
        void commandsOptionsAndValues() throws Exception {
            assertEquals(commands(), complete("srouter", ""));
            assertEquals(List.of("--strategy"), complete("srouter", "diff", "--strat"));
            assertEquals(List.of("merge-force-remote", "merge-force-local"), complete("srouter", "sync", "--strategy", "merge-"));
            assertEquals(List.of("local:bge-small-en-v1.5"), complete("srouter", "--encoder", "local:b"));
            assertEquals(List.of("--output=json"), complete("srouter", "--output=j"));
        }

        @Test
        void routeNames() throws Exception {
            Path file = routesFile();
            assertEquals(List.of("customer\\ support"), complete("srouter", "route", "-r", file.toString(), "--filter", "cu"));
            assertEquals(List.of("politics,chitchat"), complete("srouter", "route", "-r", file.toString(), "--filter", "politics,ch"));
        }

        @Test
        void pathsAreLeftToZsh() throws Exception {
            // No reply: bashcompinit then runs zsh's own file completion (complete -o default).
            assertEquals(List.of(), complete("srouter", "-r", "rou"));
            assertTrue(Files.readString(COMPLETIONS.resolve("srouter.zsh")).contains("complete -o default -F _srouter srouter"));
        }
    }

    // ----------------------------------------------------------------------------------- fish

    @Nested
    class Fish {
        /** {@code complete -C LINE}: what fish offers for the end of LINE, without descriptions. */
        private List<String> complete(String line) throws Exception {
            assumeTrue(onPath("fish"), "fish is not on PATH");
            String script = String.join("\n",
                    "source $argv[1]; or exit 1",
                    stubSrouter("function srouter; ", "; end", "\"$argv\""),
                    "complete -C $argv[2]",
                    "");
            return run(List.of("fish", "--no-config", "-c", script, COMPLETIONS.resolve("srouter.fish").toString(), line)).stream()
                    .map(l -> l.split("\t", 2)[0])
                    .toList();
        }

        @Test
        void commandsOptionsAndValues() throws Exception {
            assertEquals(commands().stream().sorted().toList(), complete("srouter "));
            assertEquals(List.of("--strategy"), complete("srouter sync --strat"));
            assertEquals(List.of(), complete("srouter route --strat"));
            assertEquals(SyncStrategy.cliNames().stream().sorted().toList(), complete("srouter diff --strategy "));
            assertEquals(List.of("local:all-MiniLM-L6-v2", "local:bge-small-en-v1.5"), complete("srouter --encoder local:"));
            assertEquals(List.of("json"), complete("srouter route -o j"));
            assertEquals(List.of("bash", "fish", "zsh"), complete("srouter completion "));
            assertEquals(List.of("--dry-run"), complete("srouter --index qdrant sync --dry"));
        }

        @Test
        void optionsShowTheirDescription() throws Exception {
            assumeTrue(onPath("fish"), "fish is not on PATH");
            List<String> lines = run(List.of("fish", "--no-config", "-c", "source $argv[1]; complete -C 'srouter sync --strat'",
                    COMPLETIONS.resolve("srouter.fish").toString()));
            assertEquals(List.of("--strategy\terror, remote, local, merge-force-remote, merge-force-local or merge."), lines);
        }

        @Test
        void routeNames() throws Exception {
            Path file = routesFile();
            Path calls = tmp.resolve("calls");

            assertEquals(List.of("customer support"), complete("srouter route -r " + file + " --filter cu"));
            assertEquals(List.of("completion --list-routes --routes " + file), Files.readAllLines(calls));
            assertEquals(List.of("politics,chitchat", "politics,customer support"), complete("srouter repl -r " + file + " --filter politics,"));
            assertEquals(List.of("--filter=customer support"), complete("srouter route --routes=" + file + " --filter=cu"));
        }

        @Test
        void indexDirectories() throws Exception {
            Files.createDirectories(tmp.resolve("work/idx"));
            cwd = tmp.resolve("work");
            assertEquals(List.of("file:", "local", "pinecone", "postgres", "qdrant"), complete("srouter --index "));
            assertEquals(List.of("file:idx/"), complete("srouter --index file:"));
        }
    }

    // --------------------------------------------------------------------------------- helpers

    /** The working directory of the shells the tests start. */
    private Path cwd = Path.of(System.getProperty("user.dir"));

    /**
     * A stand-in for the srouter program on the line, in the syntax of one shell: it records its
     * arguments in {@code tmp/calls} and lists {@link #ROUTES} when asked for route names, so the
     * scripts' call is checked without a built jar (CompletionIT runs the jar).
     */
    private String stubSrouter(String open, String close, String args) {
        String names = ROUTES.stream().map(r -> "'" + r + "'").collect(Collectors.joining(" "));
        return open + "echo " + args + " >> '" + tmp.resolve("calls") + "'; printf '%s\\n' " + names + close;
    }

    private Path routesFile() throws IOException {
        Path file = tmp.resolve("routes.yaml");
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (String r : ROUTES) {
            yaml.append("  - name: ").append(r).append("\n    utterances: [an utterance of ").append(r).append("]\n");
        }
        Files.writeString(file, yaml);
        return file;
    }

    private List<String> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the shell did not finish");
        assertEquals(0, p.exitValue(), output);
        return output.lines().filter(l -> !l.isEmpty()).toList();
    }

    private void assertCommitted(CompletionCommand.Shell shell, String file) throws IOException {
        String expected = CompletionCommand.script(shell, SrouterCli.build(ctx));
        Path path = COMPLETIONS.resolve(file);
        String regenerate = "regenerate it with\n  ./srouter completion " + shell + " > completions/" + file + "\nand commit it.";
        assertTrue(Files.isRegularFile(path), path + " is missing: " + regenerate);
        assertEquals(expected, Files.readString(path, StandardCharsets.UTF_8),
                "completions/" + file + " differs from what the command model generates: " + regenerate);
    }

    static boolean onPath(String program) {
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
