package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class JinaEncoderTest extends HttpProviderContract {

    @Override
    HttpEncoder create(String model, String url, Map<String, String> env) {
        return JinaEncoder.create(model, url, env);
    }

    @Override
    HttpEncoder withSleeper(HttpEncoder.Config config, LongConsumer sleeper) {
        return new JinaEncoder(config, JinaEncoder.KEY_VARIABLE, sleeper);
    }

    @Override
    String keyVariable() {
        return "JINA_API_KEY";
    }

    @Override
    String expectedPath() {
        return "/v1/embeddings";
    }

    @Override
    Map.Entry<String, String> expectedAuthHeader() {
        return Map.entry("Authorization", "Bearer " + KEY);
    }

    /** What litellm sends for semantic-router's JinaEncoder: model and input, no task, for queries and documents alike. */
    @Override
    ObjectNode expectedBody(List<String> texts, Encoder.Input input) {
        ObjectNode body = MAPPER.createObjectNode().put("model", "jina-embeddings-v3");
        texts.forEach(body.putArray("input")::add);
        return body;
    }

    @Override
    int batchLimit() {
        return 2048;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String defaultModel() {
        return "jina-embeddings-v3";
    }

    @Override
    int defaultDimension() {
        return 1024;
    }

    @Override
    double defaultThreshold() {
        return 0.4;
    }

    @Override
    String type() {
        return "jina";
    }

    /**
     * The response shape of the example request on https://jina.ai/embeddings (model, object, usage, data[].object /
     * index / embedding), with two three-number vectors whose values are illustrative.
     */
    @Override
    String documentedResponse() {
        return """
                {"model":"jina-embeddings-v3","object":"list","usage":{"total_tokens":18,"prompt_tokens":18},"data":[
                {"object":"embedding","index":0,"embedding":[0.0293,-0.0157,0.0863]},
                {"object":"embedding","index":1,"embedding":[0.0127,-0.0561,0.0445]}]}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.0293f, -0.0157f, 0.0863f}, {0.0127f, -0.0561f, 0.0445f}};
    }

    /** Jina answers errors with {@code {"detail": "[RID: ...] MESSAGE"}}. */
    @Override
    String errorBody(String quoted) {
        return "{\"detail\":\"" + errorMessage(quoted) + "\"}";
    }

    @Override
    String errorMessage(String quoted) {
        return "[RID: 5b5f2c1e] Validation error: " + quoted;
    }

    @Test
    void semanticRoutersTypeAndKeyVariableAreAccepted() {
        assertEquals(List.of("jina", "jina_ai"), JinaEncoder.NAMES);
        server.enqueue(status(401, "{\"detail\":\"Invalid API key\"}"));
        HttpEncoder enc = track(JinaEncoder.create(null, mockBaseUrl(), Map.of("JINA_AI_API_KEY", KEY)));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertTrue(e.getMessage().endsWith("; check JINA_AI_API_KEY"), e.getMessage());
    }

    @Test
    void missingKeyNamesBothVariables() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> track(JinaEncoder.create(null, null, Map.of())).encode(List.of("x"), Encoder.Input.QUERY));
        assertEquals("JINA_API_KEY (or JINA_AI_API_KEY) is not set: set it to use Jina AI", e.getMessage());
    }
}
