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

class NimEncoderTest extends HttpEncoderContract<NimEncoder> {

    @Override
    NimEncoder create(String model, String url, Map<String, String> env) {
        return NimEncoder.create(model, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one; the contract's waiting tests use the first variable. */
    @Override
    NimEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return new NimEncoder(create(model, url, env).config, NimEncoder.KEY_VARIABLE, sleeper);
    }

    @Override
    String type() {
        return "nim";
    }

    @Override
    String defaultModel() {
        return "nvidia/nv-embedqa-e5-v5";
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
        return "https://integrate.api.nvidia.com/v1";
    }

    @Override
    int batchLimit() {
        return 50;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "NVIDIA_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "NVIDIA_API_KEY (or NVIDIA_NIM_API_KEY) is not set: set it to use NVIDIA's API catalog, "
                + "or point --encoder-url at a self-hosted NIM, which needs no key";
    }

    /**
     * What semantic-router's NimEncoder sends through litellm, {@code input_type: passage} from both encode_queries and
     * encode_documents, plus the documented default {@code truncate: NONE}.
     */
    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("nvidia/nv-embedqa-e5-v5", texts).put("input_type", "passage").put("truncate", "NONE");
    }

    /**
     * The response shape documented at https://docs.nvidia.com/nim/nemo-retriever/text-embedding/latest/reference.html
     * (object, data[].index / embedding / object, model, usage), with two three-number vectors whose values are illustrative.
     */
    @Override
    String documentedResponse() {
        return """
                {"object":"list","data":[
                {"index":0,"embedding":[0.0010356903,-0.017669678,0.050231934],"object":"embedding"},
                {"index":1,"embedding":[-0.008117676,-0.035369873,0.04928589],"object":"embedding"}],
                "model":"nvidia/nv-embedqa-e5-v5","usage":{"prompt_tokens":14,"total_tokens":14}}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.0010356903f, -0.017669678f, 0.050231934f}, {-0.008117676f, -0.035369873f, 0.04928589f}};
    }

    /** The API catalog answers errors as RFC 7807 problem details, the explanation in {@code detail}. */
    @Override
    String errorBody(String message) {
        return MAPPER.createObjectNode().put("type", "about:blank").put("status", 400).put("title", "Bad Request")
                .put("detail", message).toString();
    }

    @Test
    void namesIncludeNvidiaAndSemanticRoutersType() {
        assertEquals(List.of("nim", "nvidia", "nvidia_nim"), NimEncoder.NAMES);
    }

    @Test
    void keyFromSemanticRoutersVariableIsNamedWhenRejected() {
        server.enqueue(status(401, "{\"type\":\"about:blank\",\"status\":401,\"title\":\"Unauthorized\"}"));
        HttpEncoder enc = track(NimEncoder.create(null, baseUrl(), Map.of("NVIDIA_NIM_API_KEY", KEY)));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertTrue(e.getMessage().endsWith("; check NVIDIA_NIM_API_KEY"), e.getMessage());
    }

    @Test
    void documentedDimensionsOfOtherModels() {
        assertEquals(4096, track(NimEncoder.create("nvidia/nv-embedqa-mistral-7b-v2", null, envWithKey())).dimension());
        assertEquals(2048, track(NimEncoder.create("nvidia/llama-nemotron-embed-1b-v2", null, envWithKey())).dimension());
    }
}
