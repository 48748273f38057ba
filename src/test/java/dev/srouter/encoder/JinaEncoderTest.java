package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class JinaEncoderTest extends HttpEncoderContract<JinaEncoder> {

    @Override
    JinaEncoder create(String model, String url, Map<String, String> env) {
        return JinaEncoder.create(model, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one; the contract's waiting tests use the first variable. */
    @Override
    JinaEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return new JinaEncoder(create(model, url, env).config, JinaEncoder.KEY_VARIABLE, sleeper);
    }

    @Override
    String type() {
        return "jina";
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
    String defaultUrl() {
        return "https://api.jina.ai/v1";
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
    String keyVariable() {
        return "JINA_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "JINA_API_KEY (or JINA_AI_API_KEY) is not set: set it to use Jina AI";
    }

    /** What litellm sends for semantic-router's JinaEncoder: model and input, no task, for queries and documents alike. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("jina-embeddings-v3", texts);
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

    /** Jina answers errors with {@code {"detail": "[RID: ...] MESSAGE"}}, shown as it is. */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("detail", message).toString();
    }

    @Test
    void semanticRoutersTypeAndKeyVariableAreAccepted() {
        assertEquals(List.of("jina", "jina_ai"), JinaEncoder.NAMES);
        server.enqueue(status(401, "{\"detail\":\"Invalid API key\"}"));
        HttpEncoder enc = track(JinaEncoder.create(null, baseUrl(), Map.of("JINA_AI_API_KEY", KEY)));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertTrue(e.getMessage().endsWith("; check JINA_AI_API_KEY"), e.getMessage());
    }

    @Test
    void jinasRequestIdIsShownWithItsMessage() {
        server.enqueue(status(400, errorBody("[RID: 5b5f2c1e] Validation error: input must not be empty")));
        HttpEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertTrue(e.getMessage().endsWith("(HTTP 400): [RID: 5b5f2c1e] Validation error: input must not be empty"), e.getMessage());
    }
}
