package dev.srouter.encoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Embeddings from NVIDIA NIM: the hosted API catalog at {@code https://integrate.api.nvidia.com/v1/embeddings}, or a
 * self-hosted NIM container through the base URL (which needs no key). The request is OpenAI's plus NIM's
 * {@code input_type} and {@code truncate}, and the key goes in {@code Authorization: Bearer}; see
 * https://docs.nvidia.com/nim/nemo-retriever/text-embedding/latest/reference.html (and the API catalog page litellm cites,
 * https://docs.api.nvidia.com/nim/reference/nvidia-nv-embedqa-e5-v5-infer).
 *
 * <p>NVIDIA documents {@code query} for queries and {@code passage} for indexed texts, but semantic-router 0.1.16's
 * {@code NimEncoder} sends {@code "input_type":"passage"} from both {@code encode_queries} and {@code encode_documents}.
 * Vectors here must equal a Python service's, so both are sent as {@code passage} and the encoder is symmetric.
 * {@code truncate} is sent as {@code NONE}, the documented default that semantic-router leaves implicit: a text longer
 * than the model's limit (512 tokens for nv-embedqa-e5-v5) fails with the server's message rather than being cut.
 */
public final class NimEncoder extends OpenAiShapedEncoder {

    public static final String TYPE = "nim";
    /** What {@code --encoder} can call it: srouter's names, then semantic-router's encoder_type. */
    public static final List<String> NAMES = List.of(TYPE, "nvidia", "nvidia_nim");
    /** semantic-router's default ({@code EncoderDefault.NVIDIA_NIM}). */
    public static final String DEFAULT_MODEL = "nvidia/nv-embedqa-e5-v5";
    public static final String DEFAULT_BASE_URL = "https://integrate.api.nvidia.com/v1";
    /** NVIDIA's documented variable, then the one semantic-router (litellm's {@code nvidia_nim}) reads. */
    public static final String KEY_VARIABLE = "NVIDIA_API_KEY";
    static final String ALTERNATE_KEY_VARIABLE = "NVIDIA_NIM_API_KEY";
    /** Texts per request: NVIDIA's own client ({@code langchain-nvidia-ai-endpoints}) sends at most 50. */
    public static final int MAX_BATCH = 50;
    /** semantic-router's {@code NimEncoder} default {@code score_threshold}. */
    static final double DEFAULT_THRESHOLD = 0.4;
    /** What semantic-router sends as {@code input_type} for queries and documents alike. */
    static final String INPUT_TYPE = "passage";
    /** The documented default: over-long input is an error, not silently cut. */
    static final String TRUNCATE = "NONE";

    /** Embedding sizes from the NeMo Retriever embedding NIM support matrix. */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "nvidia/nv-embedqa-e5-v5", 1024,
            "nvidia/nv-embedqa-mistral-7b-v2", 4096,
            "nvidia/llama-nemotron-embed-1b-v2", 2048,
            "baai/bge-m3", 1024,
            "snowflake/arctic-embed-l", 1024);

    /** The API catalog needs a key; a self-hosted NIM does not, which the message says. */
    private static final Provider PROVIDER = new Provider(TYPE, DEFAULT_BASE_URL, DEFAULT_MODEL,
            List.of(KEY_VARIABLE, ALTERNATE_KEY_VARIABLE), MAX_BATCH, DEFAULT_THRESHOLD, KNOWN_DIMENSIONS,
            KEY_VARIABLE + " (or " + ALTERNATE_KEY_VARIABLE + ") is not set: set it to use NVIDIA's API catalog, "
                    + "or point --encoder-url at a self-hosted NIM, which needs no key");

    public NimEncoder(Config config) {
        this(config, KEY_VARIABLE, null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    NimEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(requireModel(config, "NVIDIA NIM"), keyVariable, sleeper);
    }

    /**
     * @param model null for {@link #DEFAULT_MODEL}
     * @param url a self-hosted NIM's base URL (e.g. http://localhost:8000/v1) or a proxy, or null for NVIDIA's API catalog
     * @param env reads {@code NVIDIA_API_KEY}, else {@code NVIDIA_NIM_API_KEY}
     */
    public static NimEncoder create(String model, String url, Map<String, String> env) {
        return PROVIDER.create(model, url, env, NimEncoder::new);
    }

    @Override
    protected Provider provider() {
        return PROVIDER;
    }

    /** The same body for queries and documents: see the class comment for why both are {@code passage}. */
    @Override
    protected ObjectNode body(List<String> batch, Input input) {
        return super.body(batch, input).put("input_type", INPUT_TYPE).put("truncate", TRUNCATE);
    }
}
