package dev.srouter.encoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An encoder that answers from the on-disk {@link EmbeddingCache} and asks its delegate only for
 * text it has not seen. The delegate is never touched when every text is cached, so a warm run
 * does not even load the model.
 */
public final class CachingEncoder extends ForwardingEncoder {
    private final EmbeddingCache cache;
    private final boolean store;

    public CachingEncoder(Encoder delegate, EmbeddingCache cache) {
        this(delegate, cache, true);
    }

    private CachingEncoder(Encoder delegate, EmbeddingCache cache, boolean store) {
        super(delegate);
        this.cache = cache;
        this.store = store;
    }

    /**
     * A view that reads the cache but does not add to it: for streams of queries, which would
     * otherwise grow the cache (and memory) without bound.
     */
    public CachingEncoder readOnly() {
        return new CachingEncoder(delegate, cache, false);
    }

    public Encoder delegate() {
        return delegate;
    }

    /**
     * Vectors come from the cache where it has them and from the delegate otherwise, in input order;
     * a text repeated in {@code texts} is encoded once. The arrays may be the cache's own (copying
     * them on every hit would cost more than the lookup), so callers must not modify them.
     */
    @Override
    public List<float[]> encode(List<String> texts, Input input) {
        float[][] out = new float[texts.size()][];
        Map<String, List<Integer>> missing = new LinkedHashMap<>();
        String prefix = keyPrefix(input);
        for (int i = 0; i < texts.size(); i++) {
            float[] v = cache.get(prefix + texts.get(i));
            if (v != null) {
                out[i] = v;
            } else {
                missing.computeIfAbsent(texts.get(i), k -> new ArrayList<>()).add(i);
            }
        }
        if (!missing.isEmpty()) {
            List<String> todo = new ArrayList<>(missing.keySet());
            List<float[]> fresh = delegate.encode(todo, input);
            Map<String, float[]> learned = new LinkedHashMap<>();
            for (int j = 0; j < todo.size(); j++) {
                learned.put(prefix + todo.get(j), fresh.get(j));
                for (int i : missing.get(todo.get(j))) {
                    out[i] = fresh.get(j);
                }
            }
            if (store) {
                cache.putAll(learned);
            }
        }
        return List.of(out);
    }

    /**
     * What a text's cache entry is keyed by before the text: nothing, unless the encoder is asymmetric and the texts
     * are queries, which then get {@code U+0000 query U+0000} (no YAML utterance starts with a NUL), so that a query
     * never answers with a document's vector. Documents keep the bare text, as symmetric encoders do.
     */
    private String keyPrefix(Input input) {
        return input == Input.QUERY && delegate.asymmetric() ? "\u0000query\u0000" : "";
    }

    @Override
    public void close() {
        delegate.close();
        cache.close();
    }
}
