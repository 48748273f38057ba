package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class MistralEncoderTest extends HttpEncoderContract<MistralEncoder> {

    @Override
    MistralEncoder create(String model, String url, Map<String, String> env) {
        return MistralEncoder.create(model, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one; the contract's waiting tests use the first variable. */
    @Override
    MistralEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return new MistralEncoder(create(model, url, env).config, MistralEncoder.KEY_VARIABLE, sleeper);
    }

    @Override
    String type() {
        return "mistral";
    }

    @Override
    String defaultModel() {
        return "mistral-embed";
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
        return "https://api.mistral.ai/v1";
    }

    @Override
    int batchLimit() {
        return 512;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "MISTRAL_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "MISTRAL_API_KEY (or MISTRALAI_API_KEY) is not set: set it to use Mistral AI";
    }

    /** What litellm sends for semantic-router's MistralEncoder: model and input, the same for queries and documents. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("mistral-embed", texts);
    }

    /**
     * The shape of the 200 response at https://docs.mistral.ai/api/endpoint/embeddings (id, object, data[].object /
     * embedding / index, model, usage), with two three-number vectors whose values are illustrative.
     */
    @Override
    String documentedResponse() {
        return """
                {"id":"cf79f7daaee244b1a0ae5c7b1444424a","object":"list","data":[
                {"object":"embedding","embedding":[-0.0165863037109375,0.07012939453125,0.031494140625],"index":0},
                {"object":"embedding","embedding":[-0.0230560302734375,0.039093017578125,0.0521240234375],"index":1}],
                "model":"mistral-embed","usage":{"prompt_tokens":15,"total_tokens":15,"completion_tokens":0}}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{-0.0165863037109375f, 0.07012939453125f, 0.031494140625f},
            {-0.0230560302734375f, 0.039093017578125f, 0.0521240234375f}};
    }

    /**
     * Mistral's error shape, as quoted from a real 400 in semantic-router issue #297 ("Too many tokens in batch. Max is
     * 16384 got 17555").
     */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("object", "error").put("message", message).put("type", "invalid_request_error")
                .putNull("param").putNull("code").toString();
    }

    @Test
    void keyFromSemanticRoutersVariableIsNamedWhenRejected() {
        server.enqueue(status(401, "{\"message\":\"Unauthorized\",\"request_id\":\"0\"}"));
        HttpEncoder enc = track(MistralEncoder.create(null, baseUrl(), Map.of("MISTRALAI_API_KEY", KEY)));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals("the encoder rejected the API key (HTTP 401 from " + enc.displayUrl() + "); check MISTRALAI_API_KEY",
                e.getMessage());
    }

    @Test
    void documentedVariableWinsOverSemanticRoutersAndBothAreNamedWhenMissing() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        track(MistralEncoder.create(null, baseUrl(), Map.of("MISTRAL_API_KEY", KEY, "MISTRALAI_API_KEY", "other")))
                .encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("Bearer " + KEY, take().getHeaders().get("Authorization"));

        SrouterException e = assertThrows(SrouterException.class,
                () -> track(MistralEncoder.create(null, null, Map.of())).encode(List.of("x"), Encoder.Input.QUERY));
        assertEquals("MISTRAL_API_KEY (or MISTRALAI_API_KEY) is not set: set it to use Mistral AI", e.getMessage());
    }
}
