package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class TeiEncoderTest extends HttpEncoderContract<TeiEncoder> {

    /**
     * {@code POST /embed}'s answer, a JSON array with one array per input, as in the EmbedResponse example of TEI's
     * OpenAPI (https://huggingface.github.io/text-embeddings-inference/, {@code [[0.0, 1.0, 2.0]]}) with a second row.
     */
    private static final String DOCUMENTED_RESPONSE = "[[0.0, 1.0, 2.0], [2.0, 0.0, 0.0]]";

    @Override
    protected TeiEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return TeiEncoder.create(model, url, env, sleeper);
    }

    @Override
    protected String basePath() {
        return "";
    }

    @Override
    protected int batchLimit() {
        return 32;
    }

    @Override
    protected String keyVariable() {
        return "HF_API_KEY";
    }

    @Override
    protected boolean requiresKey() {
        return false;
    }

    @Override
    protected String responseBody(List<float[]> vectors) {
        ArrayNode root = MAPPER.createArrayNode();
        vectors.forEach(v -> {
            ArrayNode a = root.addArray();
            for (float x : v) {
                a.add(x);
            }
        });
        return root.toString();
    }

    @Override
    protected List<String> textsSent(JsonNode body) {
        return MAPPER.convertValue(body.get("inputs"), List.class);
    }

    /** TEI's ErrorResponse: {@code {"error": "...", "error_type": "..."}}. */
    @Override
    protected String errorBody(String message) {
        return MAPPER.createObjectNode().put("error", message).put("error_type", "validation").toString();
    }

    @Test
    void sendsInputsAndNormalizeToEmbed() throws Exception {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        encoder().encode(List.of("What is Deep Learning?", "Deep Learning is..."), Encoder.Input.DOCUMENT);

        RecordedRequest r = take();
        assertEquals("POST", r.getMethod());
        assertEquals("/embed", r.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, r.getHeaders().get("Authorization"));
        assertEquals(MAPPER.readTree("{\"inputs\": [\"What is Deep Learning?\", \"Deep Learning is...\"], \"normalize\": true}"),
                json(r), "no truncate: the server's --auto-truncate decides, as for semantic-router");
    }

    @Test
    void queriesAndDocumentsAreSentAlike() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        TeiEncoder enc = encoder();

        enc.encode(List.of("x"), Encoder.Input.QUERY);
        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertEquals(json(take()), json(take()));
        assertFalse(enc.asymmetric());
    }

    @Test
    void theDocumentedArrayResponseGivesUnitVectorsInOrder() {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        List<float[]> out = encoder().encode(List.of("a", "b"), Encoder.Input.DOCUMENT);

        assertArrayEquals(Encoder.normalize(new float[] {0, 1, 2}), out.get(0), 1e-6f);
        assertArrayEquals(new float[] {1, 0, 0}, out.get(1), 1e-6f);
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

    @Test
    void defaults() {
        TeiEncoder enc = TeiEncoder.create(null, "http://localhost:8080", Map.of());
        assertEquals("tei", enc.type());
        assertEquals("hugging_face_custom_endpoint", enc.model());
        assertEquals(-1, enc.dimension(), "the server's model is unknown until it answers");
        assertEquals(0.8, enc.defaultThreshold());
    }
}
