package dev.srouter.encoder;

import dev.srouter.core.EditDistance;
import dev.srouter.core.SrouterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the encoder named on the command line ({@code --encoder}, {@code --encoder-model}, {@code --encoder-url}). */
public final class Encoders {
    private Encoders() {}

    /**
     * What {@code --encoder} accepts, as shown in help, errors and shell completion. Besides these,
     * {@code local:MODEL} takes every name in {@link LocalOnnxEncoder.Model#names()},
     * {@code openai:MODEL} any model name, and {@code huggingface}/{@code fastembed} (semantic-router's
     * encoder_type values) mean {@code local}.
     */
    public static final List<String> NAMES = List.of("local", "local:all-MiniLM-L6-v2", "local:bge-small-en-v1.5", "onnx:DIR", "openai");

    /**
     * @param spec {@code local}, {@code local:MODEL}, {@code openai} or {@code openai:MODEL}; names are
     *     matched whole (no prefixes), and an unknown one is a usage error with a did-you-mean
     * @param model overrides the model part of spec when not null
     * @param url the OpenAI-compatible base URL, or null for the environment's {@code OPENAI_BASE_URL} or OpenAI's own
     * @param env the process environment (for {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL})
     */
    public static Encoder create(String spec, String model, String url, Map<String, String> env) {
        return create(spec, model, url, env, OnnxModelSpec.Overrides.NONE);
    }

    /** @param onnx what the command line says about an {@code onnx:DIR} model, over what its export's files say */
    public static Encoder create(String spec, String model, String url, Map<String, String> env, OnnxModelSpec.Overrides onnx) {
        String type = spec;
        String specModel = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            type = spec.substring(0, colon);
            specModel = spec.substring(colon + 1);
        }
        String chosenModel = model != null && !model.isBlank() ? model : specModel;
        switch (type.trim().toLowerCase(Locale.ROOT)) {
            case "local", "huggingface", "fastembed":
                if (chosenModel == null) {
                    return new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
                }
                String typed = chosenModel;
                return new LocalOnnxEncoder(LocalOnnxEncoder.Model.find(chosenModel).orElseThrow(() -> unknown(
                        model != null && !model.isBlank() ? "local model '" + typed + "' (--encoder-model or encoder_name)" : "encoder '" + spec + "'",
                        "local:" + typed)));
            case "onnx":
                if (chosenModel == null || chosenModel.isBlank()) {
                    throw SrouterException.usage("--encoder onnx needs the directory of the model: --encoder onnx:DIR (model.onnx and "
                            + "tokenizer.json, as optimum-cli export onnx writes them)");
                }
                return new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(chosenModel, onnx));
            case "openai":
                String base = url != null && !url.isBlank() ? url : env.getOrDefault("OPENAI_BASE_URL", OpenAiEncoder.DEFAULT_BASE_URL);
                return new OpenAiEncoder(HttpEncoder.Config.defaults(base, env.get("OPENAI_API_KEY"),
                        chosenModel == null ? OpenAiEncoder.DEFAULT_MODEL : chosenModel));
            default:
                throw unknown("encoder '" + spec + "'", spec);
        }
    }

    /** "unknown X: did you mean Y? --encoder takes ...", where Y is a name that starts with or is close to what was typed. */
    private static SrouterException unknown(String what, String typed) {
        String t = typed.trim().toLowerCase(Locale.ROOT);
        List<String> candidates = new ArrayList<>(NAMES);
        for (LocalOnnxEncoder.Model m : LocalOnnxEncoder.Model.values()) {
            m.names().forEach(n -> candidates.add("local:" + n));
        }
        String best = null;
        int bestDistance = Math.max(2, t.length() / 4) + 1;
        for (String c : candidates) {
            String lower = c.toLowerCase(Locale.ROOT);
            int d = lower.startsWith(t) && t.length() > 1 ? 0 : EditDistance.between(t, lower);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        // Suggest the short form a user would type, not an alias of it.
        if (best != null && best.startsWith("local:")) {
            LocalOnnxEncoder.Model m = LocalOnnxEncoder.Model.find(best.substring("local:".length())).orElseThrow();
            best = "local:" + m.names().get(0);
        }
        return SrouterException.usage("unknown " + what + (best != null ? ": did you mean " + best + "?" : "") + " --encoder takes "
                + String.join(", ", NAMES) + " or openai:MODEL");
    }
}
