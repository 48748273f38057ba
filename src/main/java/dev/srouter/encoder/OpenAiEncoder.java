package dev.srouter.encoder;

import java.time.Duration;
import java.util.List;

/** PLACEHOLDER - OpenAI embeddings over HTTP; to be implemented. */
public final class OpenAiEncoder implements Encoder {

    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    /**
     * @param baseUrl e.g. https://api.openai.com/v1 or http://localhost:11434/v1
     * @param apiKey may be null for servers that need none
     */
    public record Config(String baseUrl, String apiKey, String model, int batchSize, Duration connectTimeout,
            Duration readTimeout, int maxRetries, Duration initialBackoff) {
        public static Config defaults(String baseUrl, String apiKey, String model) {
            return new Config(baseUrl, apiKey, model, 512, Duration.ofSeconds(10), Duration.ofSeconds(60), 5, Duration.ofMillis(500));
        }
    }

    private final Config config;

    public OpenAiEncoder(Config config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "openai";
    }

    @Override
    public String model() {
        return config.model();
    }

    @Override
    public int dimension() {
        return -1;
    }

    @Override
    public double defaultThreshold() {
        return 0.3;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        throw new UnsupportedOperationException("not yet");
    }
}
