package dev.srouter.cli;

import dev.srouter.core.EditDistance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Did-you-mean: the known words within a small edit distance of a mistyped one. */
final class Suggestions {
    private Suggestions() {}

    static List<String> closest(String typed, Collection<String> known) {
        String t = typed.toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, t.length() / 4));
        int best = Integer.MAX_VALUE;
        List<String> out = new ArrayList<>();
        for (String k : known) {
            int d = EditDistance.between(t, k.toLowerCase(Locale.ROOT));
            if (d > limit) {
                continue;
            }
            if (d < best) {
                best = d;
                out.clear();
            }
            if (d == best) {
                out.add(k);
            }
        }
        return out;
    }
}
