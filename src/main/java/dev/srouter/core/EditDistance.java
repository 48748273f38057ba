package dev.srouter.core;

/** Edit distance for did-you-mean suggestions (routes file keys, command-line options). */
public final class EditDistance {
    private EditDistance() {}

    /** Optimal string alignment distance: insert, delete, substitute, swap neighbours, each costing 1. */
    public static int between(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Did-you-mean: the known words within a small edit distance of {@code typed}, case aside (the nearest ones only). */
    public static java.util.List<String> closest(String typed, java.util.Collection<String> known) {
        String t = typed.toLowerCase(java.util.Locale.ROOT);
        int limit = Math.max(1, Math.min(3, t.length() / 4));
        int best = Integer.MAX_VALUE;
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String k : known) {
            int d = between(t, k.toLowerCase(java.util.Locale.ROOT));
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
