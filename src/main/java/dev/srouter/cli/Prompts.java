package dev.srouter.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** A yes/no question on the terminal, for confirmations. */
final class Prompts {
    private Prompts() {}

    /**
     * Asks {@code question} on stderr and reads one line of the answer: only {@code y} or {@code yes} agree; end of input
     * (Ctrl-D) declines. Ctrl-C at the prompt ends the JVM with 130, as the shell expects; a shutdown hook, in place only
     * while the question waits, first ends the prompt's line so that the shell's next prompt starts on its own line.
     */
    static boolean yesNo(CliContext ctx, String question) throws IOException {
        PrintWriter err = ctx.err();
        err.print(question);
        err.flush();
        Thread endLine = new Thread(() -> {
            err.println();
            err.flush();
        }, "srouter-prompt-interrupted");
        boolean hooked = false;
        try {
            Runtime.getRuntime().addShutdownHook(endLine);
            hooked = true;
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting; nothing to hook
        }
        try {
            String answer = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
            if (answer == null) {
                err.println();
                err.flush();
            }
            return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } finally {
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(endLine);
                } catch (IllegalStateException shuttingDown) {
                    // exiting: the hook runs
                }
            }
        }
    }
}
