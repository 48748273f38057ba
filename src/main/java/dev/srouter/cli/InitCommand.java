package dev.srouter.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.srouter.core.AtomicFiles;
import dev.srouter.core.ExitCode;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {
            "Write a starter routes file: the routes of srouter's routes-example.yaml, under a comment header.",
            "",
            "The header says what the file is, how to try it (srouter route), how to check it (srouter lint) and where the "
                    + "format is described (README, \"Routes file\"). The file is routes.yaml in the current directory, or the "
                    + "-r/--routes file; its directory must exist. It is written atomically: a reader sees no file or the whole file.",
            "",
            "An existing file is never replaced without --force: exit 64 and nothing written. Like a plan without --yes or an "
                    + "empty remote without --allow-empty, it is a refusal that a flag lifts, so it is a usage error, and a script "
                    + "can tell it from a write that failed (exit 1: no such directory, permission denied). With --force the "
                    + "previous file is kept as FILE.bak, as pull and sync keep theirs.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter init                        # writes routes.yaml here",
            "  srouter init -r config/routes.yaml",
            "  srouter init --force                # replaces it, keeping routes.yaml.bak",
            "  srouter init && srouter route -r routes.yaml \"hello there\"",
            "",
            "Output: text prints one line (nothing with -q); json prints one object with \"routes_file\", \"status\" (created or "
                    + "replaced), \"backup\", \"routes\" and \"utterances\" (docs/json-output.md).",
        })
final class InitCommand extends BaseCommand {
    /** The starter routes: routes-example.yaml, which pom.xml copies beside this class at build time. */
    static final String EXAMPLE_RESOURCE = "routes-example.yaml";

    /** The text the header suggests routing; the starter file sends it to {@code greetings}. */
    static final String TRY_TEXT = "hello there";

    @Option(names = "--force", description = "Replace the routes file if it exists, keeping the previous one as FILE.bak.")
    boolean force;

    @Override
    protected int doCall() {
        Path file = root.routes;
        if (Files.isDirectory(file)) {
            throw SrouterException.usage(file + " is a directory; pass the routes file to write with -r/--routes, e.g. -r "
                    + Shell.word(file.resolve("routes.yaml").toString()));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            Path shown = file.getParent() != null ? file.getParent() : parent;
            throw SrouterException.failure("cannot write " + file + ": " + (Files.exists(shown) ? shown + " is not a directory"
                    : "no such directory " + shown + "; create it first"));
        }
        String text = starterText(file);
        // Read back before writing: the counts are those of the text written, and a broken resource fails with nothing written.
        RouteSet routes = RoutesFile.parse(text, file);

        boolean replaced = false;
        if (force) {
            replaced = Files.exists(file); // what AtomicFiles backs up
            AtomicFiles.write(file, text, true);
        } else if (!AtomicFiles.create(file, text)) {
            throw SrouterException.usage(file + " exists; nothing written (srouter init --force replaces it, keeping " + file + ".bak)");
        }
        String backup = replaced ? file + ".bak" : null;

        if (root.output == OutputFormat.json) {
            out().println(new Json().begin()
                    .field("routes_file", file.toString())
                    .field("status", replaced ? "replaced" : "created")
                    .field("backup", backup)
                    .field("routes", routes.routes().size())
                    .field("utterances", routes.utteranceCount())
                    .end());
        } else if (!root.quiet) {
            out().println((replaced ? "replaced " + file + " (previous kept as " + backup + ")" : "wrote " + file) + ": "
                    + DiffRenderer.count(routes.routes().size(), "route") + ", " + DiffRenderer.count(routes.utteranceCount(), "utterance")
                    + "; try: " + tryCommand(file));
        }
        out().flush();
        return ExitCode.OK;
    }

    /**
     * What {@code init} writes to {@code file}: the header, then routes-example.yaml without its own leading comment lines
     * (they tell how to try that file, under its name); the YAML itself is the example's, byte for byte.
     */
    static String starterText(Path file) {
        String routesFile = Shell.word(file.toString());
        List<String> header = List.of(
                "# Starter routes for srouter, written by `srouter init` from srouter's routes-example.yaml.",
                "# A route is a name plus example utterances: srouter sends a text to the route whose utterances",
                "# are closest to it in meaning (embedding similarity), or to no route. Replace these with your own.",
                "#",
                "# Try it:   " + tryCommand(file),
                "# Check it: srouter lint -r " + routesFile,
                "# Format:   README.md, section \"Routes file\" (semantic-router's layout: the file loads there too)",
                "",
                "");
        return String.join("\n", header) + withoutLeadingComments(example());
    }

    private static String tryCommand(Path file) {
        return "srouter route -r " + Shell.word(file.toString()) + " \"" + TRY_TEXT + "\"";
    }

    /** routes-example.yaml as the jar holds it. */
    static String example() {
        try (InputStream in = InitCommand.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(EXAMPLE_RESOURCE + " is not on the class path beside " + InitCommand.class.getName()
                        + " (pom.xml copies it there from the project root)");
            }
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code yaml} from its first line that is neither blank nor a comment. */
    static String withoutLeadingComments(String yaml) {
        int start = 0;
        while (start < yaml.length()) {
            int end = yaml.indexOf('\n', start);
            String line = (end < 0 ? yaml.substring(start) : yaml.substring(start, end)).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                break;
            }
            start = end < 0 ? yaml.length() : end + 1;
        }
        return yaml.substring(start);
    }
}
