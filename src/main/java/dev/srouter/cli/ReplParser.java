package dev.srouter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * How the REPL splits a line for completion. A typed line is an utterance, not a shell command:
 * nothing is quoted or escaped (JLine's DefaultParser would complete {@code customer support} as
 * {@code customer\ support}, and read the apostrophe of "isn't" as an opening quote). Words are
 * separated by whitespace, except that the word being completed reaches back over spaces as far
 * as it is the start of a name with spaces ({@code customer su} + Tab gives
 * {@code customer support}), so such a name is completed as one unit.
 */
final class ReplParser implements Parser {
    private final List<String> names;

    ReplParser(List<String> names) {
        this.names = List.copyOf(names);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        String before = line.substring(0, cursor);
        int start = before.length();
        while (start > 0 && !Character.isWhitespace(before.charAt(start - 1))) {
            start--;
        }
        // The earliest word start from which the rest of the text before the cursor begins a name with spaces.
        for (int b = 0; b < start; b++) {
            if ((b == 0 || Character.isWhitespace(before.charAt(b - 1))) && !Character.isWhitespace(before.charAt(b))
                    && beginsAName(before.substring(b))) {
                start = b;
                break;
            }
        }
        List<String> words = new ArrayList<>(split(before.substring(0, start)));
        int wordIndex = words.size();
        String word = before.substring(start) + firstWordAt(line, cursor);
        words.add(word);
        words.addAll(split(line.substring(cursor + firstWordAt(line, cursor).length())));
        return new Line(line, cursor, words, wordIndex, word, cursor - start);
    }

    private boolean beginsAName(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return t.contains(" ") && names.stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).startsWith(t));
    }

    /** The rest of the word the cursor is in. */
    private static String firstWordAt(String line, int cursor) {
        int end = cursor;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
            end++;
        }
        return line.substring(cursor, end);
    }

    private static List<String> split(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    private record Line(String line, int cursor, List<String> words, int wordIndex, String word, int wordCursor)
            implements CompletingParsedLine {
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate; // inserted as it is: no backslashes, no quotes
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word.length();
        }
    }
}
