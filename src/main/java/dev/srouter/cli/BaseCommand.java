package dev.srouter.cli;

import dev.srouter.core.SrouterException;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every command shares: the root's global options, the writers of its {@code CommandLine}
 * (never System.out), and stderr helpers that respect {@code -q} and {@code -v}.
 */
@picocli.CommandLine.Command
abstract class BaseCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        Set<OutputFormat> formats = outputFormats();
        if (!formats.contains(root.output)) {
            throw SrouterException.usage("'" + spec.qualifiedName() + "' has no -o " + root.output + " output; it supports "
                    + formats.stream().map(f -> "-o " + f).collect(Collectors.joining(", ")));
        }
        return doCall();
    }

    /** The {@code -o} formats this command prints; any other is refused with exit 64 before it runs. */
    Set<OutputFormat> outputFormats() {
        return EnumSet.of(OutputFormat.text, OutputFormat.json);
    }

    protected abstract int doCall() throws Exception;

    CliContext ctx() {
        return root.ctx;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Ansi ansi() {
        return Colors.ansi(ctx(), root.noColor);
    }

    /** Progress and notes for people; silent with {@code -q}. */
    void info(String message) {
        if (!root.quiet) {
            err().println(message);
            err().flush();
        }
    }

    void warn(String message) {
        err().println(ansi().string("@|yellow srouter: warning: " + message.replace("|@", "| @") + "|@"));
        err().flush();
    }

    /** Only with {@code -v}. */
    void debug(String message) {
        if (root.verbose()) {
            err().println("srouter: " + message);
            err().flush();
        }
    }
}
