package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from Ollama's native {@code POST /api/embed}, as documented at
 * https://docs.ollama.com/api/embed (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings),
 * over {@link HttpEncoder}'s transport. It sends what semantic-router 0.1.x's {@code OllamaEncoder} sends through
 * the ollama client's {@code embed(model=..., input=docs)}: {@code model} and {@code input}, nothing else, so the
 * server's defaults apply (inputs over the context length are truncated). Queries and documents are embedded alike.
 *
 * <p>The server is the {@code url} argument, else {@code OLLAMA_BASE_URL} (semantic-router's variable), else
 * {@code OLLAMA_HOST} read as Ollama's own CLI reads it ({@code host}, {@code host:port}, {@code scheme://host}...),
 * else {@value #DEFAULT_BASE_URL}. A local server needs no key; {@code OLLAMA_API_KEY}, when set, is sent as
 * {@code Authorization: Bearer}, which Ollama's cloud API at https://ollama.com requires
 * (https://docs.ollama.com/api/authentication).
 *
 * <p>Ollama documents no limit on the number of inputs per request; {@value #BATCH_SIZE} keeps each request well
 * within the read timeout on a CPU, and batching does not change the vectors.
 */
public final class OllamaEncoder extends HttpEncoder {

    /** semantic-router's {@code EncoderDefault.OLLAMA} embedding model. */
    public static final String DEFAULT_MODEL = "hf.co/Qwen/Qwen3-Embedding-0.6B-GGUF:F16";
    public static final String DEFAULT_BASE_URL = "http://localhost:11434";
    public static final int BATCH_SIZE = 64;
    static final String KEY_VARIABLE = "OLLAMA_API_KEY";
    private static final String DEFAULT_PORT = "11434";

    /** Model cards: Qwen3-Embedding-0.6B, nomic-embed-text v1.5, mxbai-embed-large v1, all-MiniLM. */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            DEFAULT_MODEL, 1024,
            "qwen3-embedding:0.6b", 1024,
            "nomic-embed-text", 768,
            "mxbai-embed-large", 1024,
            "all-minilm", 384);

    private final HttpUrl endpoint;
    private final boolean ollamaCloud;

    public OllamaEncoder(Config config) {
        this(config, null);
    }

    /** @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping) */
    OllamaEncoder(Config config, LongConsumer sleeper) {
        super(config, KEY_VARIABLE, sleeper);
        this.endpoint = endpoint("api", "embed");
        this.ollamaCloud = baseHostIs("ollama.com");
    }

    /**
     * The encoder for {@code --encoder ollama}.
     *
     * @param model null for {@value #DEFAULT_MODEL}
     * @param url the server, or null for {@code OLLAMA_BASE_URL}, {@code OLLAMA_HOST} or {@value #DEFAULT_BASE_URL}
     * @param env the process environment, for those and {@code OLLAMA_API_KEY}
     */
    public static OllamaEncoder create(String model, String url, Map<String, String> env) {
        return create(model, url, env, null);
    }

    static OllamaEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        String base = EnvVar.orFirst(url, env, null, "OLLAMA_BASE_URL");
        if (base == null) {
            String host = EnvVar.first(env, "OLLAMA_HOST").value();
            base = host == null ? DEFAULT_BASE_URL : hostUrl(host);
        }
        String name = model == null || model.isBlank() ? DEFAULT_MODEL : model.strip();
        return new OllamaEncoder(Config.defaults(base, EnvVar.first(env, KEY_VARIABLE).value(), name, BATCH_SIZE), sleeper);
    }

    /**
     * {@code OLLAMA_HOST} as Ollama's {@code envconfig.Host} reads it: no scheme means http, the port defaults to 11434
     * without a scheme and to the scheme's own with one, an empty host is 127.0.0.1, and a path is kept.
     */
    static String hostUrl(String ollamaHost) {
        String s = ollamaHost.strip();
        String scheme = "http";
        String defaultPort = DEFAULT_PORT;
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            s = s.substring(sep + 3);
            defaultPort = scheme.equals("https") ? "443" : scheme.equals("http") ? "80" : DEFAULT_PORT;
        }
        String path = "";
        int slash = s.indexOf('/');
        if (slash >= 0) {
            path = s.substring(slash);
            s = s.substring(0, slash);
        }
        String host = s;
        String port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            host = close < 0 ? s : s.substring(0, close + 1);
            if (close >= 0 && s.startsWith(":", close + 1)) {
                port = s.substring(close + 2);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        } else if (s.indexOf(':') >= 0) {
            host = "[" + s + "]";
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            port = defaultPort;
        }
        return scheme + "://" + host + ":" + port + path;
    }

    @Override
    public String type() {
        return "ollama";
    }

    @Override
    protected int knownDimension() {
        String m = config.model();
        return KNOWN_DIMENSIONS.getOrDefault(m.endsWith(":latest") ? m.substring(0, m.length() - ":latest".length()) : m, -1);
    }

    /** semantic-router's {@code OllamaEncoder} default {@code score_threshold}. */
    @Override
    public double defaultThreshold() {
        return 0.5;
    }

    @Override
    protected String exampleUrl() {
        return DEFAULT_BASE_URL;
    }

    /** Only Ollama's cloud API needs a key; a local server needs none. */
    @Override
    protected boolean requiresKey() {
        return ollamaCloud;
    }

    @Override
    protected String missingKeyMessage() {
        return "OLLAMA_API_KEY is not set: set it to an ollama.com API key to use Ollama's cloud API (keys: https://ollama.com/settings/keys)";
    }

    /** An unknown model is a 404 whose message says to pull it; say how. */
    @Override
    protected String refusalHint(int code, String serverMessage) {
        if (code == 404 && serverMessage.contains("not found") && !ollamaCloud) {
            return "pull it with: ollama pull " + config.model();
        }
        return "";
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        return bearerPost(endpoint, embeddingsBody(config.model(), batch));
    }

    /** Reads {@code {"model":..., "embeddings":[[...],...]}}, one vector per input in order. */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        JsonNode embeddings = root.get("embeddings");
        if (embeddings == null || !embeddings.isArray()) {
            throw malformed("no \"embeddings\" array");
        }
        return vectors(embeddings);
    }
}
