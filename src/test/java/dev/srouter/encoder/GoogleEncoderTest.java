package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class GoogleEncoderTest extends HttpEncoderContract<GoogleEncoder> {

    /** The Gemini API's answer to a wrong key, as it sends it: HTTP 400, reason API_KEY_INVALID. */
    private static final String INVALID_KEY = """
            {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
              "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                           "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}}""";

    @Override
    GoogleEncoder create(String model, String url, Map<String, String> env) {
        return GoogleEncoder.create(model, url, env);
    }

    @Override
    GoogleEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return GoogleEncoder.create(model, url, env, sleeper);
    }

    @Override
    String type() {
        return "google";
    }

    @Override
    String defaultModel() {
        return "gemini-embedding-001";
    }

    @Override
    int defaultDimension() {
        return 3072;
    }

    @Override
    double defaultThreshold() {
        return 0.75;
    }

    @Override
    String defaultUrl() {
        return "https://generativelanguage.googleapis.com/v1beta";
    }

    /** "at most 100 requests can be in one batch". */
    @Override
    int batchLimit() {
        return 100;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "GOOGLE_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "GOOGLE_API_KEY (or GEMINI_API_KEY) is not set: set it to a Gemini API key to use the google encoder "
                + "(keys: https://aistudio.google.com/apikey)";
    }

    @Override
    String basePath() {
        return "/v1beta";
    }

    /** The model is part of the path, its colon not escaped; the key goes in a header, never in {@code ?key=}. */
    @Override
    String expectedPath() {
        return "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    }

    @Override
    Map.Entry<String, String> expectedAuthHeader() {
        return Map.entry("x-goog-api-key", KEY);
    }

    /**
     * One request per text, as semantic-router's litellm path sends for {@code gemini/MODEL}: model and
     * {@code content.parts[].text}, no {@code taskType}, so queries and documents are sent alike.
     */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        for (String text : texts) {
            ObjectNode r = requests.addObject().put("model", "models/gemini-embedding-001");
            r.putObject("content").putArray("parts").addObject().put("text", text);
        }
        return body;
    }

    @Override
    List<String> textsSent(JsonNode body) {
        return body.get("requests").findValues("text").stream().map(JsonNode::asText).toList();
    }

    /**
     * A {@code batchEmbedContents} response in the shape documented at https://ai.google.dev/api/embeddings
     * ({@code BatchEmbedContentsResponse}: {@code embeddings[]} of {@code ContentEmbedding} with {@code values}, "in the
     * same order as provided in the batch request"); the numbers are illustrative and shortened to three.
     */
    @Override
    String documentedResponse() {
        return """
                {
                  "embeddings": [
                    {"values": [0.013168523, -0.008711934, -0.046782676]},
                    {"values": [-0.024563482, 0.0069955, 0.031232]}
                  ]
                }""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.013168523f, -0.008711934f, -0.046782676f}, {-0.024563482f, 0.0069955f, 0.031232f}};
    }

    @Override
    String responseBody(List<float[]> vectors) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode embeddings = root.putArray("embeddings");
        vectors.forEach(v -> addNumbers(embeddings.addObject().putArray("values"), v));
        return root.toString();
    }

    /** The embeddings carry no index: they come "in the same order as provided in the batch request". */
    @Override
    String responseInReverse(List<float[]> vectors) {
        return null;
    }

    /** Google's error shape: {@code {"error": {"code", "message", "status"}}}. */
    @Override
    String errorBody(String message) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("error").put("code", 400).put("message", message).put("status", "INVALID_ARGUMENT");
        return root.toString();
    }

    @Test
    void anInvalidKeyIsAnsweredWith400AndStillNamesTheVariable() {
        server.enqueue(status(400, INVALID_KEY));
        GoogleEncoder enc = encoder(null, baseUrl(), env("GEMINI_API_KEY", KEY));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder rejected the API key (HTTP 400 from " + enc.displayUrl() + "); check GEMINI_API_KEY",
                e.getMessage());
        assertNoKey(e);
    }

    @Test
    void googleApiKeyTakesPrecedenceOverGeminiApiKey() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder(null, baseUrl(), env("GEMINI_API_KEY", "second", "GOOGLE_API_KEY", "first")).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("first", take().getHeaders().get("x-goog-api-key"));
    }

    @Test
    void theModelIsPartOfTheUrlAndMayBeGivenAsAResourceName() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        GoogleEncoder enc = encoder("models/text-embedding-004", baseUrl(), env("GOOGLE_API_KEY", KEY));
        assertEquals(768, enc.dimension());

        enc.encode(List.of("x"), Encoder.Input.QUERY);

        RecordedRequest r = take();
        assertEquals("/v1beta/models/text-embedding-004:batchEmbedContents", r.getTarget());
        assertEquals("models/text-embedding-004", json(r).get("requests").get(0).get("model").asText());
        assertEquals("text-embedding-004", enc.model());
    }

    @Test
    void semanticRoutersVertexDefaultIsRefusedWithTheReason() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> GoogleEncoder.create("textembedding-gecko@003", null, Map.of()));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("Vertex AI") && e.getMessage().contains("google:gemini-embedding-001"), e.getMessage());
    }
}
