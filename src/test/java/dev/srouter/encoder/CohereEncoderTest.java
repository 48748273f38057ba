package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class CohereEncoderTest extends HttpEncoderContract<CohereEncoder> {

    @Override
    CohereEncoder create(String model, String url, Map<String, String> env) {
        return CohereEncoder.create(model, url, env);
    }

    @Override
    CohereEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return CohereEncoder.create(model, url, env, sleeper);
    }

    @Override
    String type() {
        return "cohere";
    }

    @Override
    String defaultModel() {
        return "embed-english-v3.0";
    }

    @Override
    int defaultDimension() {
        return 1024;
    }

    @Override
    double defaultThreshold() {
        return 0.3;
    }

    @Override
    String defaultUrl() {
        return "https://api.cohere.com";
    }

    @Override
    int batchLimit() {
        return 96;
    }

    @Override
    boolean asymmetric() {
        return true;
    }

    @Override
    String keyVariable() {
        return "COHERE_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "COHERE_API_KEY (or CO_API_KEY) is not set: set it to a Cohere API key to use the cohere encoder "
                + "(keys: https://dashboard.cohere.com/api-keys)";
    }

    @Override
    String basePath() {
        return "";
    }

    @Override
    String expectedPath() {
        return "/v2/embed";
    }

    /** What semantic-router sends: {@code search_document} for route utterances, {@code search_query} for texts to route. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        ObjectNode body = MAPPER.createObjectNode().put("model", "embed-english-v3.0");
        texts.forEach(body.putArray("texts")::add);
        body.put("input_type", input == Encoder.Input.QUERY ? "search_query" : "search_document");
        body.putArray("embedding_types").add("float");
        return body;
    }

    @Override
    List<String> textsSent(JsonNode body) {
        return strings(body, "texts");
    }

    /**
     * The response of the v2 Embed API for {@code "texts": ["hello", "goodbye"]} in the shape documented at
     * https://docs.cohere.com/reference/embed (response type {@code embeddings_by_type}); the id and the three-number
     * vectors are illustrative, not Cohere's.
     */
    @Override
    String documentedResponse() {
        return """
                {
                  "id": "da6e531f-54c6-4a73-bf92-f60566d8d753",
                  "embeddings": {
                    "float": [
                      [0.016296387, -0.008354187, -0.04699707],
                      [-0.0011987686, 0.024368286, 0.0066604614]
                    ]
                  },
                  "texts": ["hello", "goodbye"],
                  "meta": {
                    "api_version": {"version": "2"},
                    "billed_units": {"input_tokens": 2}
                  },
                  "response_type": "embeddings_by_type"
                }""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.016296387f, -0.008354187f, -0.04699707f}, {-0.0011987686f, 0.024368286f, 0.0066604614f}};
    }

    @Override
    String responseBody(List<float[]> vectors) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", "test");
        addVectors(root.putObject("embeddings").putArray("float"), vectors);
        root.putObject("meta").putObject("api_version").put("version", "2");
        root.put("response_type", "embeddings_by_type");
        return root.toString();
    }

    /** Cohere's embeddings carry no index: they come in the order of the texts. */
    @Override
    String responseInReverse(List<float[]> vectors) {
        return null;
    }

    /** Cohere's errors carry {@code message}, e.g. {@code {"id":"...","message":"invalid api token"}}. */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("id", "e1").put("message", message).toString();
    }

    @Test
    void aResponseWithoutFloatEmbeddingsIsMalformed() {
        server.enqueue(ok("{\"id\":\"x\",\"embeddings\":{\"int8\":[[1,2]]},\"response_type\":\"embeddings_by_type\"}"));
        SrouterException e = assertThrows(SrouterException.class, () -> encoder().encode(List.of("a"), Encoder.Input.QUERY));
        assertTrue(e.getMessage().endsWith("malformed response: no \"embeddings.float\" array"), e.getMessage());
    }

    @Test
    void otherModelsDimensionsAndSemanticRoutersCohereSlashSpelling() {
        assertEquals(384, track(CohereEncoder.create("embed-english-light-v3.0", null, Map.of())).dimension());
        assertEquals("embed-multilingual-v3.0", track(CohereEncoder.create("cohere/embed-multilingual-v3.0", null, Map.of())).model());
    }

    @Test
    void theSdksCoApiKeyIsUsedWhenCohereApiKeyIsNotSetAndNamedWhenRejected() throws Exception {
        server.enqueue(status(401, errorBody("invalid api token")));
        CohereEncoder enc = encoder(null, baseUrl(), env("CO_API_KEY", KEY));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals("Bearer " + KEY, take().getHeaders().get("Authorization"));
        assertTrue(e.getMessage().endsWith("; check CO_API_KEY"), e.getMessage());
    }

    @Test
    void cohereApiKeyComesBeforeCoApiKey() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder(null, baseUrl(), env("COHERE_API_KEY", "first", "CO_API_KEY", "second")).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("Bearer first", take().getHeaders().get("Authorization"));
    }
}
