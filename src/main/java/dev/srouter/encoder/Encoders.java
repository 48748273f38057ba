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
     * What {@code --encoder} accepts, as shown in help and errors. Besides these, {@code local:MODEL} takes every name
     * in {@link LocalOnnxEncoder.Model#names()}, {@code onnx:DIR} a directory, each HTTP provider {@code NAME:MODEL}
     * any model name, and the routes file's {@code encoder_type} also semantic-router's values ({@link #create}).
     */
    public static final List<String> NAMES = List.of("local", "local:all-MiniLM-L6-v2", "local:bge-small-en-v1.5", "onnx:DIR", "openai",
            "azure", "cohere", "google", "bedrock", "mistral", "voyage", "jina", "nim", "ollama", "tei");

    /** The names shell completion offers: {@link #NAMES} but {@code onnx:DIR}, whose directory the shell cannot complete there. */
    public static final List<String> COMPLETIONS = NAMES.stream().filter(n -> !n.startsWith("onnx:")).toList();

    /**
     * @param spec {@code NAME} or {@code NAME:MODEL}; NAME is one of {@link #NAMES} or a value semantic-router writes
     *     as {@code encoder_type}; names are matched whole (no prefixes), and an unknown one is a usage error with a
     *     did-you-mean
     * @param model overrides the model part of spec when not null
     * @param url the provider's base URL (a proxy, a self-hosted server, a test), or null for its default
     * @param env the process environment, for keys and the providers' documented variables
     */
    public static Encoder create(String spec, String model, String url, Map<String, String> env) {
        return create(spec, model, url, env, OnnxModelSpec.Overrides.NONE);
    }

    /**
     * semantic-router's {@code encoder_type} values (its {@code EncoderType} and each encoder's {@code type}) that name
     * a sparse or an image encoder: srouter routes on dense text embeddings only, so it has no encoder that makes
     * their vectors.
     */
    private static final Map<String, String> NONE_OF_OURS = Map.of(
            "aurelio", "a sparse encoder (Aurelio's BM25 service)",
            "sparse", "a sparse encoder",
            "sparse_local", "a sparse encoder",
            "bm25", "a sparse encoder (BM25)",
            "tfidf", "a sparse encoder (TF-IDF)",
            "vit", "an image encoder (ViT)",
            "clip", "an image encoder (CLIP)");

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
        String t = type.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "local", "huggingface", "fastembed":
                if (chosenModel == null) {
                    return new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
                }
                String typed = chosenModel;
                return new LocalOnnxEncoder(LocalOnnxEncoder.Model.find(chosenModel).orElseThrow(() -> t.equals("local")
                        ? unknown(model != null && !model.isBlank() ? "local model '" + typed + "' (--encoder-model or encoder_name)"
                                : "encoder '" + spec + "'", "local:" + typed)
                        : SrouterException.usage("semantic-router's " + t + " encoder with model '" + typed + "': srouter bundles only "
                                + "all-MiniLM-L6-v2 and bge-small-en-v1.5; export the model with optimum-cli export onnx --model " + typed
                                + " DIR and use --encoder onnx:DIR" + (t.equals("huggingface") ? " (a Hugging Face endpoint: --encoder tei "
                                        + "--encoder-url URL)" : ""))));
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
            case "azure":
                return AzureOpenAiEncoder.create(chosenModel, url, env);
            case "cohere":
                return CohereEncoder.create(chosenModel, url, env);
            case "google":
                return GoogleEncoder.create(chosenModel, url, env);
            case "bedrock":
                return BedrockEncoder.create(chosenModel, url, env);
            case "mistral":
                return MistralEncoder.create(chosenModel, url, env);
            case "voyage":
                return VoyageEncoder.create(chosenModel, url, env);
            case "jina", "jina_ai":
                return JinaEncoder.create(chosenModel, url, env);
            case "nim", "nvidia", "nvidia_nim":
                return NimEncoder.create(chosenModel, url, env);
            case "ollama":
                return OllamaEncoder.create(chosenModel, url, env);
            case "tei":
                return TeiEncoder.create(chosenModel, url, env);
            case "litellm":
                // semantic-router's LiteLLMEncoder names its model PROVIDER/MODEL and records PROVIDER as encoder_type; a
                // file that says litellm was written before that split.
                int slash = chosenModel == null ? -1 : chosenModel.indexOf('/');
                if (slash <= 0) {
                    throw SrouterException.usage("semantic-router's litellm encoder needs its model as PROVIDER/MODEL (e.g. "
                            + "cohere/embed-english-v3.0), not '" + chosenModel + "'");
                }
                return create(chosenModel.substring(0, slash), chosenModel.substring(slash + 1), url, env, onnx);
            default:
                if (NONE_OF_OURS.containsKey(t)) {
                    throw SrouterException.usage("semantic-router's '" + t + "' encoder is " + NONE_OF_OURS.get(t)
                            + "; srouter routes on dense text embeddings and has no encoder that makes its vectors. Use one of "
                            + String.join(", ", NAMES) + " (and push the routes again with it)");
                }
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
                + String.join(", ", NAMES) + ", each HTTP provider also as NAME:MODEL");
    }
}
