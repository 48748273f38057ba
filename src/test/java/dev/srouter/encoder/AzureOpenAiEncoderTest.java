package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class AzureOpenAiEncoderTest extends HttpEncoderContract<AzureOpenAiEncoder> {
    private static final String RESOURCE = "https://example-resource.openai.azure.com";

    @Override
    AzureOpenAiEncoder create(String model, String url, Map<String, String> env) {
        return AzureOpenAiEncoder.create(model, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one. */
    @Override
    AzureOpenAiEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        AzureOpenAiEncoder built = create(model, url, env);
        return new AzureOpenAiEncoder(built.config, built.apiVersion(), sleeper);
    }

    @Override
    String type() {
        return "azure";
    }

    @Override
    String defaultModel() {
        return "text-embedding-3-small";
    }

    @Override
    int defaultDimension() {
        return 1536;
    }

    @Override
    double defaultThreshold() {
        return 0.82;
    }

    @Override
    String defaultUrl() {
        return RESOURCE;
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
        return "AZURE_OPENAI_API_KEY";
    }

    @Override
    Map<String, String> ownServiceEnv() {
        return Map.of("AZURE_OPENAI_ENDPOINT", RESOURCE);
    }

    @Override
    String missingKeyMessage() {
        return "AZURE_OPENAI_API_KEY is not set: set it to the key of the Azure OpenAI resource at " + RESOURCE;
    }

    /** The resource endpoint: Azure's paths start at the host. */
    @Override
    String basePath() {
        return "";
    }

    @Override
    String expectedPath() {
        return "/openai/deployments/text-embedding-3-small/embeddings";
    }

    @Override
    String expectedQuery() {
        return "api-version=2024-10-21";
    }

    @Override
    Map.Entry<String, String> expectedAuthHeader() {
        return Map.entry("api-key", KEY);
    }

    /** What the openai SDK's AzureOpenAI client sends for semantic-router: the deployment as model, and input. */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("text-embedding-3-small", texts);
    }

    /**
     * The example response of "Embeddings - Create" in https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference
     * (object, data[].object / embedding / index, model, usage), with two three-number vectors whose values are illustrative.
     */
    @Override
    String documentedResponse() {
        return """
                {"object":"list","data":[
                {"object":"embedding","embedding":[0.018990106880664825,-0.0073809814639389515,-0.009389706328511238],"index":0},
                {"object":"embedding","embedding":[-0.0052035292610526085,0.014513558149337769,0.009935051389038563],"index":1}],
                "model":"ada","usage":{"prompt_tokens":8,"total_tokens":8}}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.018990106880664825f, -0.0073809814639389515f, -0.009389706328511238f},
            {-0.0052035292610526085f, 0.014513558149337769f, 0.009935051389038563f}};
    }

    /** Azure's documented errorResponse: {@code {"error": {"code", "message", ...}}}. */
    @Override
    String errorBody(String message) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("error").put("code", "BadRequest").put("message", message).putNull("param").putNull("type");
        return root.toString();
    }

    @Test
    void retryAfterMsIsPreferredOverRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("retry-after-ms", "1500").addHeader("Retry-After", "2")
                .body("{\"error\":{\"code\":\"429\",\"message\":\"Requests to the Embeddings_Create Operation have exceeded "
                        + "call rate limit of your current OpenAI S0 pricing tier.\"}}")
                .build());
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));

        encoder().encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertEquals(List.of(1500L), sleeps);
    }

    @Test
    void apiVersionComesFromSemanticRoutersVariableThenTheSdksThenTheDefault() throws Exception {
        Map<String, String> env = new HashMap<>(envWithKey());
        env.put("OPENAI_API_VERSION", "2024-06-01");
        env.put("AZURE_OPENAI_API_VERSION", "2025-01-01-preview");
        assertEquals("2025-01-01-preview", track(create(null, null, env)).apiVersion());
        env.remove("AZURE_OPENAI_API_VERSION");
        assertEquals("2024-06-01", track(create(null, null, env)).apiVersion());
        env.remove("OPENAI_API_VERSION");
        assertEquals("2024-10-21", track(create(null, null, env)).apiVersion());

        env.put("AZURE_OPENAI_API_VERSION", "2024-06-01");
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        track(create(null, baseUrl(), env)).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("api-version=2024-06-01", take().getUrl().encodedQuery());
    }

    @Test
    void deploymentIsTheModelOrSemanticRoutersVariableAndIsEscapedInThePath() throws Exception {
        Map<String, String> env = new HashMap<>(envWithKey());
        env.put("AZURE_OPENAI_DEPLOYMENT_NAME", "team embeddings");
        HttpEncoder fromEnv = track(create(null, baseUrl(), env));
        assertEquals("team embeddings", fromEnv.model());
        assertEquals(-1, fromEnv.dimension(), "a deployment not named after a model has no known dimension");
        assertEquals(3072, track(create("text-embedding-3-large", null, env)).dimension());
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));

        fromEnv.encode(List.of("x"), Encoder.Input.QUERY);

        RecordedRequest r = take();
        assertEquals("/openai/deployments/team%20embeddings/embeddings", r.getUrl().encodedPath());
        assertEquals("team embeddings", json(r).get("model").asText());
    }

    @Test
    void endpointComesFromTheUrlOptionThenTheEnvironmentAndIsRequired() {
        Map<String, String> env = new HashMap<>(envWithKey());
        assertEquals(RESOURCE, track(create(null, null, env)).displayUrl());
        assertEquals("https://proxy.example:8443", track(create(null, "https://proxy.example:8443/", env)).displayUrl());

        env.remove("AZURE_OPENAI_ENDPOINT");
        SrouterException e = assertThrows(SrouterException.class, () -> create(null, null, env));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertEquals("AZURE_OPENAI_ENDPOINT is not set: set it (or --encoder-url) to the Azure OpenAI resource's endpoint, "
                + "e.g. https://NAME.openai.azure.com", e.getMessage());
    }

    @Test
    void everyAzureResourceHostNeedsAKey() {
        for (String host : List.of("https://r.openai.azure.com", "https://r.cognitiveservices.azure.com", "https://r.services.ai.azure.com")) {
            HttpEncoder enc = track(create(null, host, Map.of()));
            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY), host);
            assertEquals("AZURE_OPENAI_API_KEY is not set: set it to the key of the Azure OpenAI resource at " + host,
                    e.getMessage());
        }
    }
}
