package dev.srouter.engine;

import dev.srouter.encoder.Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A deterministic encoder (hashed bag of characters) that counts the texts it embeds. */
public final class CountingEncoder implements Encoder {
    public final AtomicInteger texts = new AtomicInteger();
    private final String model;
    private final int dimension;

    public CountingEncoder(String model) {
        this(model, 16);
    }

    public CountingEncoder(String model, int dimension) {
        this.model = model;
        this.dimension = dimension;
    }

    @Override
    public String type() {
        return "test";
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public double defaultThreshold() {
        return 0.5;
    }

    @Override
    public List<float[]> encode(List<String> batch, Input input) {
        texts.addAndGet(batch.size());
        List<float[]> out = new ArrayList<>();
        for (String t : batch) {
            float[] v = new float[dimension];
            for (char c : t.toCharArray()) {
                v[c % dimension] += 1;
            }
            v[0] += 0.01f;
            out.add(Encoder.normalize(v));
        }
        return out;
    }
}
