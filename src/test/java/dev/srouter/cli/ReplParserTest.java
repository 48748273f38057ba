package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.Parser.ParseContext;
import org.junit.jupiter.api.Test;

class ReplParserTest {
    private final ReplParser parser = new ReplParser(List.of("customer support", "politics", ":quit"));

    private CompletingParsedLine parse(String line) {
        return (CompletingParsedLine) parser.parse(line, line.length(), ParseContext.COMPLETE);
    }

    @Test
    void aCandidateWithASpaceIsInsertedAsItIs() {
        assertEquals("customer support", parse("cust").escape("customer support", true).toString());
    }

    @Test
    void theWordBeingCompletedReachesBackOverTheStartOfANameWithSpaces() {
        CompletingParsedLine p = parse("ask customer su");
        assertEquals("customer su", p.word());
        assertEquals(1, p.wordIndex());
        assertEquals(List.of("ask", "customer su"), p.words());
    }

    @Test
    void otherwiseWordsAreSeparatedByWhitespaceAndQuotesAreText() {
        CompletingParsedLine p = parse("isn't pol");
        assertEquals("pol", p.word());
        assertEquals(List.of("isn't", "pol"), p.words());
        assertEquals(0, parse(":qu").wordIndex());
    }
}
