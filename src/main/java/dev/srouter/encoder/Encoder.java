package dev.srouter.encoder;

import java.util.List;

/**
 * Turns text into unit-length embedding vectors, so that cosine similarity is a dot product.
 * Implementations are thread-safe and may load models or open connections lazily, on the first
 * {@link #encode} call, so that a run answered from the cache never pays for them.
 */
public interface Encoder extends AutoCloseable {

    /**
     * What the texts are, semantic-router's {@code EncodeInputType}: route utterances stored in an index are
     * documents, texts to route are queries. Asymmetric models embed the two differently (Cohere's {@code input_type},
     * e5's {@code query: } and {@code passage: } prefixes); for the others they are the same.
     */
    enum Input {
        QUERY, DOCUMENT
    }

    /** {@code local} or {@code openai}: the routes file's {@code encoder_type}. */
    String type();

    /** The model, e.g. {@code all-MiniLM-L6-v2-q}: the routes file's {@code encoder_name}. */
    String model();

    /** {@code type:model}, the name recorded on remote indexes and shown to users. */
    default String name() {
        return type() + ":" + model();
    }

    /** The vector length, or -1 while unknown (an OpenAI-compatible model we have no table entry for). */
    int dimension();

    /**
     * What the embedding cache is keyed by besides the text: two encoders with the same key
     * return the same vector for the same text. Includes the endpoint for remote encoders.
     */
    default String cacheKey() {
        return name();
    }

    /** The global score threshold used when neither the route nor the command line sets one. */
    double defaultThreshold();

    /**
     * Embeds texts; the result has one unit-length vector per text, in order.
     *
     * @param input whether the texts are queries (to route) or documents (route utterances)
     * @throws dev.srouter.core.SrouterException when the encoder cannot be reached (exit 4) or fails
     */
    List<float[]> encode(List<String> texts, Input input);

    /**
     * Whether a text's vector can depend on its {@link Input}; when it does, the embedding cache keeps queries and
     * documents apart.
     */
    default boolean asymmetric() {
        return false;
    }

    @Override
    default void close() {}

    /** Scales {@code v} to unit length in place (a zero vector stays zero) and returns it. */
    static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }
}
