package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class OllamaEncoderTest extends HttpEncoderContract<OllamaEncoder> {

    @Override
    OllamaEncoder create(String model, String url, Map<String, String> env) {
        return OllamaEncoder.create(model, url, env);
    }

    @Override
    OllamaEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return OllamaEncoder.create(model, url, env, sleeper);
    }

    @Override
    String type() {
        return "ollama";
    }

    @Override
    String defaultModel() {
        return "hf.co/Qwen/Qwen3-Embedding-0.6B-GGUF:F16";
    }

    @Override
    int defaultDimension() {
        return 1024;
    }

    @Override
    double defaultThreshold() {
        return 0.5;
    }

    @Override
    String defaultUrl() {
        return "http://localhost:11434";
    }

    @Override
    int batchLimit() {
        return 64;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "OLLAMA_API_KEY";
    }

    /** A local server needs no key; only ollama.com's cloud API does (tested below). */
    @Override
    String missingKeyMessage() {
        return null;
    }

    @Override
    String basePath() {
        return "";
    }

    @Override
    String expectedPath() {
        return "/api/embed";
    }

    /** What semantic-router's OllamaEncoder sends through the ollama client: model and input, nothing else. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("hf.co/Qwen/Qwen3-Embedding-0.6B-GGUF:F16", texts);
    }

    /**
     * The response of {@code POST /api/embed} to the documented multiple-input example ("Why is the sky blue?", "Why is
     * the grass green?" with all-minilm), https://docs.ollama.com/api/embed and
     * https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings, vectors cut to their first three numbers.
     */
    @Override
    String documentedResponse() {
        return """
                {
                  "model": "all-minilm",
                  "embeddings": [
                    [0.010071029, -0.0017594862, 0.05007221],
                    [-0.0098027075, 0.06042469, 0.025257962]
                  ],
                  "total_duration": 14143917,
                  "load_duration": 1019500,
                  "prompt_eval_count": 8
                }""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.010071029f, -0.0017594862f, 0.05007221f}, {-0.0098027075f, 0.06042469f, 0.025257962f}};
    }

    @Override
    String responseBody(List<float[]> vectors) {
        ObjectNode root = MAPPER.createObjectNode().put("model", "m");
        addVectors(root.putArray("embeddings"), vectors);
        return root.toString();
    }

    /** Ollama's embeddings carry no index: they come in the order of the inputs. */
    @Override
    String responseInReverse(List<float[]> vectors) {
        return null;
    }

    /** Ollama's errors: {@code {"error": "..."}}. */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("error", message).toString();
    }

    @Test
    void anUnknownModelIs404WithOllamasMessageAndHowToPullIt() {
        server.enqueue(status(404, "{\"error\":\"model \\\"nomic-embed-txt\\\" not found, try pulling it first\"}"));
        OllamaEncoder enc = encoder("nomic-embed-txt", baseUrl(), Map.of());

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 404): model \"nomic-embed-txt\" "
                + "not found, try pulling it first; pull it with: ollama pull nomic-embed-txt", e.getMessage());
    }

    @Test
    void theServerComesFromTheUrlThenOllamaBaseUrlThenOllamaHost() {
        Map<String, String> both = env("OLLAMA_BASE_URL", "http://gpu-box:11434", "OLLAMA_HOST", "0.0.0.0:9999");
        assertEquals("http://given:1", OllamaEncoder.create(null, "http://given:1", both).displayUrl());
        assertEquals("http://gpu-box:11434", OllamaEncoder.create(null, null, both).displayUrl());
        assertEquals("http://0.0.0.0:9999", OllamaEncoder.create(null, null, env("OLLAMA_HOST", "0.0.0.0:9999")).displayUrl());
        assertEquals("http://localhost:11434", OllamaEncoder.create(null, null, Map.of()).displayUrl());
    }

    @Test
    void ollamaHostIsReadAsOllamaReadsIt() {
        assertEquals("http://127.0.0.1:11434", OllamaEncoder.hostUrl(""));
        assertEquals("http://127.0.0.1:11434", OllamaEncoder.hostUrl(":11434"));
        assertEquals("http://gpu-box:11434", OllamaEncoder.hostUrl("gpu-box"));
        assertEquals("http://gpu-box:8080", OllamaEncoder.hostUrl("gpu-box:8080"));
        assertEquals("http://gpu-box:80", OllamaEncoder.hostUrl("http://gpu-box"));
        assertEquals("https://ollama.example:443/proxy", OllamaEncoder.hostUrl("https://ollama.example/proxy"));
        assertEquals("http://[::1]:11434", OllamaEncoder.hostUrl("[::1]"));
        assertEquals("http://[::1]:11500", OllamaEncoder.hostUrl("[::1]:11500"));
        assertEquals("http://[::1]:11434", OllamaEncoder.hostUrl("::1"));
    }

    @Test
    void ollamaCloudNeedsOllamaApiKeyAndGetsItAsBearer() throws Exception {
        OllamaEncoder cloud = encoder(null, "https://ollama.com", Map.of());
        SrouterException e = assertThrows(SrouterException.class, () -> cloud.encode(List.of("x"), Encoder.Input.DOCUMENT));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("OLLAMA_API_KEY is not set: set it to an ollama.com API key to use Ollama's cloud API "
                + "(keys: https://ollama.com/settings/keys)", e.getMessage());
        assertFalse(cloud.clientCreated(), "no HTTP client for a request that cannot succeed");
        assertEquals(0, cloud.requestCount());
        assertEquals(0, server.getRequestCount());

        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder().encode(List.of("x"), Encoder.Input.DOCUMENT);
        assertEquals("Bearer " + KEY, take().getHeaders().get("Authorization"));
    }

    @Test
    void dimensionsOfOtherModels() {
        assertEquals(768, OllamaEncoder.create("nomic-embed-text:latest", null, Map.of()).dimension());
        assertEquals(-1, OllamaEncoder.create("some-other-model", null, Map.of()).dimension());
    }
}
