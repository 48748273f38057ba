package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class VoyageEncoderTest extends HttpEncoderContract<VoyageEncoder> {

    @Override
    VoyageEncoder create(String model, String url, Map<String, String> env) {
        return VoyageEncoder.create(model, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one. */
    @Override
    VoyageEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return new VoyageEncoder(create(model, url, env).config, VoyageEncoder.KEY_VARIABLE, sleeper);
    }

    @Override
    String type() {
        return "voyage";
    }

    @Override
    String defaultModel() {
        return "voyage-3-lite";
    }

    @Override
    int defaultDimension() {
        return 512;
    }

    @Override
    double defaultThreshold() {
        return 0.4;
    }

    @Override
    String defaultUrl() {
        return "https://api.voyageai.com/v1";
    }

    @Override
    int batchLimit() {
        return 1000;
    }

    @Override
    boolean asymmetric() {
        return true;
    }

    @Override
    String keyVariable() {
        return "VOYAGE_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "VOYAGE_API_KEY is not set: set it to use Voyage AI";
    }

    /** What semantic-router's VoyageEncoder sends through litellm: input_type query from encode_queries, document otherwise. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        ObjectNode body = openAiRequest("voyage-3-lite", texts);
        return body.put("input_type", input == Encoder.Input.QUERY ? "query" : "document");
    }

    /**
     * The response shape documented at https://docs.voyageai.com/reference/embeddings-api (object, data[].object /
     * embedding / index, model, usage.total_tokens), with two three-number vectors whose values are illustrative.
     */
    @Override
    String documentedResponse() {
        return """
                {"object":"list","data":[
                {"object":"embedding","embedding":[-0.016709786,0.026996311,-0.027496673],"index":0},
                {"object":"embedding","embedding":[0.003613521,0.026428301,-0.009491397],"index":1}],
                "model":"voyage-3-lite","usage":{"total_tokens":8}}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{-0.016709786f, 0.026996311f, -0.027496673f}, {0.003613521f, 0.026428301f, -0.009491397f}};
    }

    /** Voyage answers errors with {@code {"detail": MESSAGE}}, e.g. "Request to model 'voyage-3-lite' failed: ...". */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("detail", message).toString();
    }

    @Test
    void documentedDimensionsOfOtherModels() {
        assertEquals(1024, track(VoyageEncoder.create("voyage-3", null, envWithKey())).dimension());
        assertEquals(1536, track(VoyageEncoder.create("voyage-code-2", null, envWithKey())).dimension());
        assertEquals(-1, track(VoyageEncoder.create("voyage-next", null, envWithKey())).dimension());
    }
}
