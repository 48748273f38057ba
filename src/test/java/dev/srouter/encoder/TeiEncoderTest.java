package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class TeiEncoderTest extends HttpEncoderContract<TeiEncoder> {

    @Override
    TeiEncoder create(String model, String url, Map<String, String> env) {
        return TeiEncoder.create(model, url, env);
    }

    @Override
    TeiEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return TeiEncoder.create(model, url, env, sleeper);
    }

    @Override
    String type() {
        return "tei";
    }

    /** The name semantic-router's HFEndpointEncoder records; it is not sent. */
    @Override
    String defaultModel() {
        return "hugging_face_custom_endpoint";
    }

    /** The server's model is unknown until it answers. */
    @Override
    int defaultDimension() {
        return -1;
    }

    @Override
    double defaultThreshold() {
        return 0.8;
    }

    /** There is no default server: the one in {@link #ownServiceEnv()}. */
    @Override
    String defaultUrl() {
        return "http://localhost:8080";
    }

    /** TEI's --max-client-batch-size default. */
    @Override
    int batchLimit() {
        return 32;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "HF_API_KEY";
    }

    /** semantic-router's HF_API_URL, the only way besides the URL option to name the server. */
    @Override
    Map<String, String> ownServiceEnv() {
        return Map.of("HF_API_URL", "http://localhost:8080");
    }

    /** A local server needs no key, and an Inference Endpoint's 401 names the variables. */
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
        return "/embed";
    }

    /** No truncate: the server's --auto-truncate decides, as for semantic-router; no prompt_name: queries and documents alike. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        ObjectNode body = MAPPER.createObjectNode();
        texts.forEach(body.putArray("inputs")::add);
        return body.put("normalize", true);
    }

    @Override
    List<String> textsSent(JsonNode body) {
        return strings(body, "inputs");
    }

    /**
     * {@code POST /embed}'s answer, a JSON array with one array per input, as in the EmbedResponse example of TEI's
     * OpenAPI (https://huggingface.github.io/text-embeddings-inference/, {@code [[0.0, 1.0, 2.0]]}) with a second row.
     */
    @Override
    String documentedResponse() {
        return "[[0.0, 1.0, 2.0], [2.0, 0.0, 0.0]]";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0, 1, 2}, {2, 0, 0}};
    }

    @Override
    String responseBody(List<float[]> vectors) {
        return addVectors(MAPPER.createArrayNode(), vectors).toString();
    }

    /** The rows carry no index: they come in the order of the inputs. */
    @Override
    String responseInReverse(List<float[]> vectors) {
        return null;
    }

    /** TEI's ErrorResponse: {@code {"error": "...", "error_type": "..."}}. */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("error", message).put("error_type", "validation").toString();
    }

    @Test
    void anObjectInsteadOfAnArrayIsMalformed() {
        server.enqueue(ok("{\"embeddings\": [[1, 2]]}"));
        SrouterException e = assertThrows(SrouterException.class, () -> encoder().encode(List.of("a"), Encoder.Input.QUERY));
        assertTrue(e.getMessage().endsWith("malformed response: not a JSON array of embeddings"), e.getMessage());
    }

    @Test
    void aUrlEndingInEmbedIsUsedAsIs() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder(null, url("/tei/embed/"), Map.of()).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("/tei/embed", take().getUrl().encodedPath());
    }

    @Test
    void withoutAUrlItIsAUsageError() {
        SrouterException e = assertThrows(SrouterException.class, () -> TeiEncoder.create(null, null, Map.of()));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertEquals(TeiEncoder.MISSING_URL, e.getMessage());
    }

    @Test
    void theUrlAndKeyMayComeFromSemanticRoutersVariablesOrHfToken() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));

        encoder(null, null, env("HF_API_URL", baseUrl(), "HF_API_KEY", "first", "HF_TOKEN", "second"))
                .encode(List.of("x"), Encoder.Input.QUERY);
        encoder(null, null, env("HF_API_URL", baseUrl(), "HF_TOKEN", "second")).encode(List.of("x"), Encoder.Input.QUERY);

        assertEquals("Bearer first", take().getHeaders().get("Authorization"));
        assertEquals("Bearer second", take().getHeaders().get("Authorization"));
    }

    @Test
    void aBatchOverTheServersLimitSaysWhichSetting() {
        server.enqueue(status(413, errorBody("batch size 32 > maximum allowed batch size 16")));
        TeiEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(texts(32), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 413): batch size 32 > maximum "
                + "allowed batch size 16; srouter sends up to 32 texts per request: start the server with "
                + "--max-client-batch-size 32 or more", e.getMessage());
    }

    /** TEI refuses a text over the model's limit as a validation error, which it answers with 413. */
    @Test
    void aTextOverTheTokenLimitSuggestsAutoTruncate() {
        server.enqueue(status(413, errorBody("`inputs` must have less than 512 tokens. Given: 731")));
        TeiEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("long"), Encoder.Input.DOCUMENT));

        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 413): `inputs` must have less than "
                + "512 tokens. Given: 731; start the server with --auto-truncate to embed longer texts truncated, or "
                + "shorten them", e.getMessage());
    }

    @Test
    void aTokenizerErrorIs422() {
        server.enqueue(status(422, MAPPER.createObjectNode().put("error", "Tokenization error")
                .put("error_type", "tokenizer").toString()));
        TeiEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 422): Tokenization error; "
                + "the server could not tokenize a text", e.getMessage());
    }

    @Test
    void aRejectedKeyWithNoneSetNamesBothVariables() {
        server.enqueue(status(401, "Unauthorized"));
        TeiEncoder enc = encoder(null, baseUrl(), Map.of());

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertTrue(e.getMessage().endsWith("; check HF_API_KEY or HF_TOKEN"), e.getMessage());
    }
}
