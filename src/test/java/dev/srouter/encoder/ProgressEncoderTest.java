package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srouter.core.Progress;
import dev.srouter.engine.CountingEncoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressEncoderTest {
    /** Records every start, step and close as text. */
    private static final class Recorder implements Progress {
        final List<String> events = new ArrayList<>();

        @Override
        public Task start(String what, long total) {
            events.add("start " + what + " " + total);
            return new Task() {
                @Override
                public void advance(long steps) {
                    events.add("advance " + steps);
                }

                @Override
                public void close() {
                    events.add("close");
                }
            };
        }
    }

    @Test
    void manyTextsAreEmbeddedInChunksThatAdvanceOneTaskAndGiveTheSameVectors() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            texts.add("text " + i);
        }
        Recorder recorder = new Recorder();
        List<float[]> withProgress = new ProgressEncoder(new CountingEncoder("m", 8), recorder).encode(texts, Encoder.Input.DOCUMENT);
        List<float[]> plain = new CountingEncoder("m", 8).encode(texts, Encoder.Input.DOCUMENT);
        assertEquals(600, withProgress.size());
        for (int i = 0; i < 600; i++) {
            assertArrayEquals(plain.get(i), withProgress.get(i), "text " + i);
        }
        assertEquals(List.of("start embedding 600", "advance 256", "advance 256", "advance 88", "close"), recorder.events);
    }

    @Test
    void aSmallCallReportsNothing() {
        Recorder recorder = new Recorder();
        new ProgressEncoder(new CountingEncoder("m", 8), recorder).encode(List.of("a", "b"), Encoder.Input.DOCUMENT);
        assertEquals(List.of(), recorder.events);
    }
}
