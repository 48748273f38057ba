package dev.srouter.cli;

import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive prompt: every line that is not a {@code :command} is routed and its decision
 * printed. History persists across sessions; Tab completes commands and route names.
 */
final class Repl {
    static final List<String> COMMANDS = List.of(":explain", ":threshold", ":routes", ":help", ":quit");
    /** Lines that end the session like {@code :quit} (an utterance of just one of these words is not routed). */
    static final List<String> QUIT_WORDS = List.of("exit", "quit");

    private final RoutingSetup setup;
    private DecisionRenderer renderer;
    private final Path historyFile;
    private final boolean quiet;

    Repl(RoutingSetup setup, DecisionRenderer renderer, Path historyFile, boolean quiet) {
        this.setup = setup;
        this.renderer = renderer;
        this.historyFile = historyFile;
        this.quiet = quiet;
    }

    int run() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).name("srouter").build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("srouter")
                    .completer(completer())
                    .parser(new ReplParser(completionWords()))
                    .variable(LineReader.HISTORY_FILE, historyFile)
                    .variable(LineReader.HISTORY_SIZE, 1000)
                    .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            PrintWriter out = terminal.writer();
            if (!quiet) {
                out.println("srouter " + VersionProvider.version() + " - " + setup.routes.routes().size() + " routes, encoder "
                        + setup.encoder.name() + " (" + setup.encoder.dimension() + " dimensions). Type an utterance, :help for commands, Ctrl-D to quit.");
            }
            while (true) {
                String line;
                try {
                    line = reader.readLine("srouter> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C: the line is dropped, the session goes on
                } catch (EndOfFileException e) {
                    break; // Ctrl-D
                }
                String trimmed = line.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (QUIT_WORDS.contains(trimmed.toLowerCase(Locale.ROOT))) {
                    break; // as :quit: people type these first
                }
                if (trimmed.startsWith(":")) {
                    if (!command(trimmed, out)) {
                        break;
                    }
                } else {
                    try {
                        renderer.print(out, setup.engine.route(trimmed), setup.engine.router().defaultThreshold());
                    } catch (SrouterException e) {
                        out.println("error: " + e.getMessage());
                    }
                }
                out.flush();
            }
            reader.getHistory().save();
            out.flush();
        }
        return ExitCode.OK;
    }

    /** @return false to quit */
    private boolean command(String line, PrintWriter out) {
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].trim() : "";
        switch (parts[0].toLowerCase(Locale.ROOT)) {
            case ":quit", ":q", ":exit" -> {
                return false;
            }
            case ":help", ":h", ":?" -> help(out);
            case ":routes" -> {
                for (Route r : setup.routes.routes()) {
                    String t = r.scoreThreshold() != null ? String.format(Locale.ROOT, "  (threshold %.2f)", r.scoreThreshold()) : "";
                    out.printf(Locale.ROOT, "%-24s %3d utterances%s%n", r.name(), r.utterances().size(), t);
                }
            }
            case ":explain" -> {
                if (arg.equals("on") || arg.equals("off")) {
                    renderer = renderer.withExplain(arg.equals("on"));
                    out.println("explain " + arg);
                } else if (arg.isEmpty()) {
                    out.println("explain " + (renderer.explain() ? "on" : "off"));
                } else {
                    out.println("usage: :explain on|off");
                }
            }
            case ":threshold" -> {
                if (setup.engine.fitted().isPresent()) {
                    out.printf(Locale.ROOT, "the fitted decision decides (a route passes at confidence %.4f, from srouter fit); "
                            + ":threshold sets the kNN decision's: start the REPL with --no-fit to use it%n",
                            setup.engine.fitted().get().model().minConfidence());
                    break;
                }
                if (arg.isEmpty()) {
                    out.printf(Locale.ROOT, "threshold %.2f (routes with their own score_threshold keep it)%n",
                            setup.engine.router().defaultThreshold());
                    break;
                }
                try {
                    double x = Double.parseDouble(arg);
                    if (x < 0 || x > 1 || Double.isNaN(x)) {
                        throw new NumberFormatException();
                    }
                    setup.engine.setRouter(setup.engine.router().withDefaultThreshold(x));
                    out.printf(Locale.ROOT, "threshold %.2f%n", x);
                } catch (NumberFormatException e) {
                    out.println("usage: :threshold X   (X between 0 and 1)");
                }
            }
            default -> out.println("unknown command " + parts[0] + "; :help lists them");
        }
        return true;
    }

    private static void help(PrintWriter out) {
        out.println("Type an utterance to route it. Commands:");
        out.println("  :explain on|off   show nearest utterances and every candidate's score");
        out.println("  :threshold X      set the global threshold (0..1) for routes without their own");
        out.println("  :routes           list routes");
        out.println("  :help             this text");
        out.println("  :quit             leave (also exit, quit or Ctrl-D); Ctrl-C clears the line");
    }

    private List<String> completionWords() {
        List<String> words = new ArrayList<>(setup.routes.routeNames());
        words.addAll(COMMANDS);
        return words;
    }

    private Completer completer() {
        List<String> routeNames = new ArrayList<>(setup.routes.routeNames());
        return (reader, parsed, candidates) -> {
            String buffer = parsed.line();
            if (parsed.wordIndex() == 0 && buffer.trim().startsWith(":")) {
                for (String c : COMMANDS) {
                    candidates.add(new Candidate(c));
                }
            } else if (buffer.trim().startsWith(":explain")) {
                candidates.add(new Candidate("on"));
                candidates.add(new Candidate("off"));
            } else if (!buffer.trim().startsWith(":")) {
                for (String r : routeNames) {
                    candidates.add(new Candidate(r));
                }
                if (parsed.wordIndex() == 0) {
                    for (String c : COMMANDS) {
                        candidates.add(new Candidate(c));
                    }
                }
            }
        };
    }
}
