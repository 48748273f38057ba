package dev.srouter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A plain-text table that fits a given width: columns keep their natural width when everything fits, else the
 * widest columns give up space first, and cells wrap at spaces. A word is only cut when it alone is wider than the
 * narrowest its column can get. Colour is applied after the layout, so escape codes never count as width.
 */
final class TextTable {
    /** One cell: its text, and how to colour each of its lines (identity for none). */
    record Cell(String text, UnaryOperator<String> style) {
        static Cell plain(String text) {
            return new Cell(text, UnaryOperator.identity());
        }
    }

    private static final String GAP = "  ";
    private final List<String> headers;
    private final List<List<Cell>> rows = new ArrayList<>();

    TextTable(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    void add(List<Cell> row) {
        if (row.size() != headers.size()) {
            throw new IllegalArgumentException("a row of " + row.size() + " cells in a table of " + headers.size() + " columns");
        }
        rows.add(List.copyOf(row));
    }

    /** The column widths for {@code maxWidth} characters per line. */
    int[] widths(int maxWidth) {
        int n = headers.size();
        int[] natural = new int[n];
        int[] floor = new int[n];
        for (int i = 0; i < n; i++) {
            natural[i] = length(headers.get(i));
            int longestWord = longestWord(headers.get(i));
            for (List<Cell> row : rows) {
                natural[i] = Math.max(natural[i], length(row.get(i).text()));
                longestWord = Math.max(longestWord, longestWord(row.get(i).text()));
            }
            floor[i] = Math.min(natural[i], longestWord);
        }
        int[] w = natural.clone();
        int budget = Math.max(n, maxWidth - GAP.length() * (n - 1));
        // First shrink down to the longest word of each column (no word cut), then, if that is still too wide,
        // down to a few characters (long words cut): the widest column gives up one character at a time.
        for (int[] limit : new int[][] {floor, minimal(natural)}) {
            while (sum(w) > budget) {
                int widest = -1;
                for (int i = 0; i < n; i++) {
                    if (w[i] > limit[i] && (widest < 0 || w[i] > w[widest])) {
                        widest = i;
                    }
                }
                if (widest < 0) {
                    break;
                }
                w[widest]--;
            }
        }
        return w;
    }

    private static int[] minimal(int[] natural) {
        int[] m = new int[natural.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.min(natural[i], 6);
        }
        return m;
    }

    List<String> render(int maxWidth) {
        int[] w = widths(maxWidth);
        List<String> out = new ArrayList<>();
        List<Cell> header = headers.stream().map(Cell::plain).toList();
        renderRow(header, w, out);
        for (List<Cell> row : rows) {
            renderRow(row, w, out);
        }
        return out;
    }

    private static void renderRow(List<Cell> row, int[] w, List<String> out) {
        List<List<String>> wrapped = new ArrayList<>();
        int lines = 1;
        for (int i = 0; i < row.size(); i++) {
            List<String> cell = wrap(row.get(i).text(), w[i]);
            wrapped.add(cell);
            lines = Math.max(lines, cell.size());
        }
        for (int l = 0; l < lines; l++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String part = l < wrapped.get(i).size() ? wrapped.get(i).get(l) : "";
                if (i > 0) {
                    line.append(GAP);
                }
                line.append(part.isEmpty() ? part : row.get(i).style().apply(part));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(w[i] - length(part)));
                }
            }
            out.add(strip(line));
        }
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces; a longer word is cut. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && length(line) + 1 + length(word) <= width) {
                line.append(' ').append(word);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line.setLength(0);
            }
            while (length(word) > width) {
                int cut = word.offsetByCodePoints(0, width);
                lines.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String strip(StringBuilder line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        return line.substring(0, end);
    }

    static int length(CharSequence s) {
        return Character.codePointCount(s, 0, s.length());
    }

    private static int longestWord(String s) {
        int max = 0;
        for (String word : s.split(" +")) {
            max = Math.max(max, length(word));
        }
        return max;
    }

    private static int sum(int[] w) {
        int s = 0;
        for (int x : w) {
            s += x;
        }
        return s;
    }
}
