package dev.srouter.encoder;

import dev.srouter.core.SrouterException;
import java.util.Map;

/** Builds the encoder named on the command line ({@code --encoder}, {@code --encoder-model}, {@code --encoder-url}). */
public final class Encoders {
    private Encoders() {}

    /**
     * @param spec {@code local}, {@code local:MODEL}, {@code openai} or {@code openai:MODEL}
     * @param model overrides the model part of spec when not null
     * @param url the OpenAI-compatible base URL, or null for the environment's {@code OPENAI_BASE_URL} or OpenAI's own
     * @param env the process environment (for {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL})
     */
    public static Encoder create(String spec, String model, String url, Map<String, String> env) {
        String type = spec;
        String specModel = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            type = spec.substring(0, colon);
            specModel = spec.substring(colon + 1);
        }
        String chosenModel = model != null && !model.isBlank() ? model : specModel;
        switch (type.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "local", "huggingface", "fastembed":
                return new LocalOnnxEncoder(chosenModel == null ? LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q : LocalOnnxEncoder.Model.parse(chosenModel));
            case "openai":
                String base = url != null && !url.isBlank() ? url : env.getOrDefault("OPENAI_BASE_URL", OpenAiEncoder.DEFAULT_BASE_URL);
                return new OpenAiEncoder(OpenAiEncoder.Config.defaults(base, env.get("OPENAI_API_KEY"),
                        chosenModel == null ? OpenAiEncoder.DEFAULT_MODEL : chosenModel));
            default:
                throw SrouterException.usage("unknown encoder '" + spec + "': use local, local:bge-small-en-v1.5 or openai");
        }
    }
}
