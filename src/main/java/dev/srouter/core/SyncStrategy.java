package dev.srouter.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How {@code srouter sync} reconciles the routes file (L) with the remote index (R). Every strategy but {@link #ERROR}
 * defines one target T that both sides are made equal to; see DESIGN.md ("Synchronization") and
 * docs/sync-strategies.md. The names are semantic-router's {@code SyncMode} values, so scripts move between the two.
 */
public enum SyncStrategy {
    /** No writes: success when L equals R, else exit 2 with the diff. */
    ERROR("error"),
    /** T = R: the remote wins, the routes file is rewritten to match it (pull). */
    REMOTE("remote"),
    /** T = L: the routes file wins, the remote is rewritten to match it (push). */
    LOCAL("local"),
    /** Every route of L and R; a route on both sides is taken whole from R. */
    MERGE_FORCE_REMOTE("merge-force-remote"),
    /** Every route of L and R; a route on both sides is taken whole from L. */
    MERGE_FORCE_LOCAL("merge-force-local"),
    /** Every route of L and R; a route on both sides gets both utterance sets, and L's attributes where L sets one. */
    MERGE("merge");

    private final String cliName;

    SyncStrategy(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line and in semantic-router, e.g. {@code merge-force-remote}. */
    public String cliName() {
        return cliName;
    }

    /** Every {@link #cliName()}, in declaration order. */
    public static List<String> cliNames() {
        return Arrays.stream(values()).map(SyncStrategy::cliName).toList();
    }

    /**
     * The strategy named {@code name} (ignoring case, and {@code _} for {@code -}).
     *
     * @throws SrouterException a usage error (exit 64) listing the valid names
     */
    public static SyncStrategy parse(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (SyncStrategy s : values()) {
                if (s.cliName.equals(wanted)) {
                    return s;
                }
            }
        }
        throw SrouterException.usage("unknown sync strategy '" + name + "'; valid strategies: "
                + String.join(", ", cliNames()));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
