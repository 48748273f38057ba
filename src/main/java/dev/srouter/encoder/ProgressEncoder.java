package dev.srouter.encoder;

import dev.srouter.core.Batches;
import dev.srouter.core.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder that reports its progress: a call with many texts is passed on in chunks of
 * {@value #CHUNK}, and each chunk done advances a task. Vectors never depend on the chunking (every
 * encoder embeds each text on its own), so only the number of calls changes. Calls with one chunk
 * or less report nothing.
 */
public final class ProgressEncoder extends ForwardingEncoder {
    static final int CHUNK = 256;
    private final Progress progress;

    public ProgressEncoder(Encoder delegate, Progress progress) {
        super(delegate);
        this.progress = progress;
    }

    @Override
    public List<float[]> encode(List<String> texts, Input input) {
        if (texts.size() <= CHUNK) {
            return delegate.encode(texts, input);
        }
        List<float[]> out = new ArrayList<>(texts.size());
        try (Progress.Task task = progress.start("embedding", texts.size())) {
            for (List<String> chunk : Batches.of(texts, CHUNK)) {
                out.addAll(delegate.encode(chunk, input));
                task.advance(chunk.size());
            }
        }
        return out;
    }
}
