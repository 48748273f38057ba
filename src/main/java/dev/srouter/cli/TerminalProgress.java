package dev.srouter.cli;

import dev.srouter.core.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Progress bars on stderr (the progressbar library, drawn through JLine), only when stderr is a terminal and
 * the run is not {@code -q}: nothing extra reaches a log or a pipe.
 */
final class TerminalProgress implements Progress {
    private final PrintStream stream;

    private TerminalProgress(PrintStream stream) {
        this.stream = stream;
    }

    /** Bars on the process's stderr when it is a terminal and the context writes to it; {@link Progress#NONE} otherwise. */
    static Progress forContext(CliContext ctx, boolean quiet) {
        if (quiet || !ctx.writesToSystemErr() || !stderrIsTerminal()) {
            return Progress.NONE;
        }
        return new TerminalProgress(System.err);
    }

    /**
     * Bars for work whose results go to stdout ({@code route -}): only when stdout is not the terminal too, where the
     * bar would be drawn between the results.
     */
    static Progress besideResults(CliContext ctx, boolean quiet) {
        return isTerminal(SystemStream.Output) ? Progress.NONE : forContext(ctx, quiet);
    }

    /** Whether file descriptor 2 is a terminal. */
    static boolean stderrIsTerminal() {
        return isTerminal(SystemStream.Error);
    }

    /** Whether a standard stream is a terminal, asked of JLine's native providers (false when none can tell). */
    private static boolean isTerminal(SystemStream stream) {
        for (String provider : new String[] {"jni", "ffm", "exec"}) {
            try {
                return TerminalProvider.load(provider).isSystemStream(stream);
            } catch (Throwable notAvailable) {
                // try the next provider
            }
        }
        return false;
    }

    @Override
    public Task start(String what, long total) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(what)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .clearDisplayOnFinish()
                .build();
        return new Task() {
            @Override
            public void advance(long steps) {
                bar.stepBy(steps);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
