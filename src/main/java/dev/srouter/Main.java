package dev.srouter;

import dev.srouter.cli.CliContext;
import dev.srouter.cli.SrouterCli;
import dev.srouter.engine.LeaseLock;

/** The process entry point: everything else is in {@link SrouterCli}, which tests call directly. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        LeaseLock.releaseHeldLeasesOnShutdown(); // Ctrl-C or SIGTERM during a sync releases its lease
        System.exit(SrouterCli.run(CliContext.system(), args));
    }
}
