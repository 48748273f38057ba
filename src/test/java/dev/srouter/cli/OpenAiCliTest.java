package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code srouter route --encoder openai} end to end against an OpenAI-compatible server on
 * 127.0.0.1 that embeds text as a bag of hashed words: good enough to route, and every request
 * is counted, so the embedding cache's effect is visible.
 */
class OpenAiCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-cli-test-SECRET-0a1b2c3d";
    private static final int DIM = 64;

    @TempDir
    Path cache;

    private MockWebServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger embeddedTexts = new AtomicInteger();
    private volatile int status = 200;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.incrementAndGet();
                if (status != 200) {
                    return new MockResponse.Builder().code(status).body("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                            + "\"}}").build();
                }
                try {
                    JsonNode body = JSON.readTree(request.getBody().utf8());
                    StringBuilder out = new StringBuilder("{\"object\":\"list\",\"data\":[");
                    JsonNode input = body.get("input");
                    for (int i = 0; i < input.size(); i++) {
                        embeddedTexts.incrementAndGet();
                        out.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"embedding\":")
                                .append(vector(input.get(i).asText())).append('}');
                    }
                    out.append("],\"model\":\"").append(body.get("model").asText()).append("\"}");
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(out.toString()).build();
                } catch (Exception e) {
                    return new MockResponse.Builder().code(400).body("{\"error\":{\"message\":\"" + e + "\"}}").build();
                }
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String vector(String text) {
        double[] v = new double[DIM];
        for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
            if (!word.isEmpty()) {
                v[Math.floorMod(word.hashCode(), DIM)] += 1;
            }
        }
        v[0] += 0.01; // never the zero vector
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < DIM; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.append(']').toString();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getPort() + "/v1";
    }

    private CliRunner cli() {
        return new CliRunner(cache).env("OPENAI_API_KEY", KEY);
    }

    private Result route(CliRunner cli, String... texts) {
        String[] args = new String[6 + texts.length];
        System.arraycopy(new String[] {"route", "-r", CliRunner.exampleRoutes(), "--encoder", "openai", "--encoder-url=" + url()}, 0, args, 0, 6);
        System.arraycopy(texts, 0, args, 6, texts.length);
        return cli.run(args);
    }

    @Test
    void routesThroughAnOpenAiCompatibleServerAndCachesItsVectors() {
        Result first = route(cli(), "isn't politics the best thing ever");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().matches("politics \\d\\.\\d{4} .*\\n"), first.toString());
        int utterances = 36;
        assertEquals(utterances, embeddedTexts.get(), "every utterance embedded once; the text is one of them, so it comes from the cache");

        int before = requests.get();
        Result again = route(cli(), "isn't politics the best thing ever");
        assertEquals(first.out(), again.out());
        assertEquals(before, requests.get(), "a second run is answered from the cache: no request");

        Result fresh = route(cli(), "tell me about the president", "isn't politics the best thing ever");
        assertEquals(0, fresh.exit(), fresh.toString());
        assertEquals(utterances + 1, embeddedTexts.get(), "only the one new text is embedded");

        Result noCache = route(cli(), "--no-cache", "isn't politics the best thing ever");
        assertEquals(0, noCache.exit(), noCache.toString());
        assertEquals(2 * utterances + 2, embeddedTexts.get(), "--no-cache embeds every utterance and the text again");
    }

    @Test
    void aRejectedKeyExits4WithoutShowingTheKey() {
        status = 401;
        Result r = route(cli(), "hello there");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("the encoder rejected the API key"), r.toString());
        assertFalse(r.err().contains(KEY) || r.out().contains(KEY), "the key must never be printed: " + r);
        Result verbose = route(cli(), "-v", "hello there");
        assertFalse(verbose.err().contains(KEY), "not even with -v: " + verbose);
    }

    @Test
    void anUnreachableServerExits4NamingTheUrl() {
        String deadUrl = url();
        server.close();
        Result r = cli().run("route", "-r", CliRunner.exampleRoutes(), "--encoder", "openai", "--encoder-url", deadUrl, "hello there");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("127.0.0.1:" + deadUrl.replaceAll(".*:(\\d+)/v1", "$1")), r.toString());
    }

    @Test
    void noKeyForOpenAiItselfSaysHowToUseALocalServer() {
        Result r = new CliRunner(cache).run("route", "-r", CliRunner.exampleRoutes(), "--encoder", "openai", "--no-cache", "hello there");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().startsWith("srouter: OPENAI_API_KEY is not set"), r.toString());
        assertTrue(r.err().contains("--encoder-url") && r.err().contains("http://localhost:11434/v1"),
                "the way to a local OpenAI-compatible server (Ollama): " + r);
        assertEquals(1, r.err().lines().count(), r.toString());
        assertEquals(0, requests.get(), "nothing is sent");
    }

    @Test
    void openAiBaseUrlComesFromTheEnvironment() {
        Result r = cli().env("OPENAI_BASE_URL", url()).run("route", "-r", CliRunner.exampleRoutes(), "--encoder", "openai", "hello there");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(requests.get() > 0);
    }
}
