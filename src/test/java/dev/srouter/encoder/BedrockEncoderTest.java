package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;

class BedrockEncoderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    /** Distinctive, so that finding it (or its marker) anywhere in an error is certainly a leak. */
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY-SECRETKEY-4c3b";
    private static final String TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-SESSIONTOKEN-77aa";
    private static final String REGION = "us-east-1";
    private static final Instant NOW = Instant.parse("2024-05-01T12:34:56Z");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    private MockWebServer server;
    private final List<Long> sleeps = new CopyOnWriteArrayList<>();
    /** The signing time; the sleeper moves it on, as real waiting would. */
    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private final List<BedrockEncoder> encoders = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        encoders.forEach(BedrockEncoder::close);
        server.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private BedrockEncoder encoder(String model, AwsCredentialsProvider credentials, int maxRetries) {
        int batch = model.contains("amazon") ? BedrockEncoder.TITAN_BATCH : BedrockEncoder.COHERE_BATCH;
        HttpEncoder.Config config = new HttpEncoder.Config(url(), null, model, batch, Duration.ofSeconds(2), Duration.ofSeconds(5),
                maxRetries, Duration.ofMillis(100));
        BedrockEncoder e = new BedrockEncoder(config, REGION, () -> credentials, "TEST SOURCES", clock, millis -> {
            sleeps.add(millis);
            now.updateAndGet(t -> t.plusMillis(millis));
        });
        encoders.add(e);
        return e;
    }

    private static AwsCredentialsProvider basic() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET));
    }

    private static AwsCredentialsProvider session() {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(ACCESS_KEY, SECRET, TOKEN));
    }

    private BedrockEncoder titan() {
        return encoder("amazon.titan-embed-text-v2:0", basic(), 3);
    }

    /** The shape of the Titan Text Embeddings V2 response in the Bedrock user guide. */
    private static String titanResponse(float... v) {
        StringBuilder sb = new StringBuilder("{\"embedding\":[");
        for (int k = 0; k < v.length; k++) {
            sb.append(k == 0 ? "" : ",").append(v[k]);
        }
        sb.append("],\"inputTextTokenCount\":3,\"embeddingsByType\":{\"float\":[");
        for (int k = 0; k < v.length; k++) {
            sb.append(k == 0 ? "" : ",").append(v[k]);
        }
        return sb.append("]}}").toString();
    }

    /** The shape of the Cohere Embed v3 response on Bedrock: {"embeddings":[[...]...],"id","response_type","texts"}. */
    private static String cohereResponse(List<String> texts, int offset) {
        StringBuilder sb = new StringBuilder("{\"embeddings\":[");
        for (int i = 0; i < texts.size(); i++) {
            float[] v = vectorFor(offset + i);
            sb.append(i == 0 ? "" : ",").append('[');
            for (int k = 0; k < v.length; k++) {
                sb.append(k == 0 ? "" : ",").append(v[k]);
            }
            sb.append(']');
        }
        sb.append("],\"id\":\"6b3a1d2e-0c5f-4f4e-9a51-0d1c2b3a4f5e\",\"response_type\":\"embeddings_floats\",\"texts\":[");
        for (int i = 0; i < texts.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(texts.get(i)).append('"');
        }
        return sb.append("]}").toString();
    }

    /** A distinct, not normalized vector per number. */
    private static float[] vectorFor(int n) {
        return new float[] {n + 1, 2, 0};
    }

    private static MockResponse ok(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("x-amzn-RequestId", "9c1b0b7e-5f2a-4c55-8a52-6c1e2f3a4b5c").body(body).build();
    }

    /** An AWS JSON error: {"message": ...} with the error's type in x-amzn-ErrorType. */
    private static MockResponse error(int code, String type, String message) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
                .addHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .body("{\"message\":\"" + message + "\"}").build();
    }

    private static JsonNode json(RecordedRequest r) throws Exception {
        return MAPPER.readTree(r.getBody().utf8());
    }

    private static void assertUnit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        assertEquals(1.0, sum, 1e-5);
    }

    /** Fails if the secret key or the session token (or their markers) appears in the exception, its causes or trace. */
    private static void assertNoSecret(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        for (String secret : List.of(SECRET, TOKEN, "SECRETKEY", "SESSIONTOKEN")) {
            assertFalse(trace.toString().contains(secret), "secret leaked in: " + trace);
        }
    }

    // --- An independent SigV4 check, written from the AWS docs (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
    // not from the SDK: a request the SDK signed over a different canonical request than the one that arrived fails it.

    /** The signature for these request parts as AWS computes it for a service other than S3 (path segments encoded twice). */
    static String sigV4(String method, String encodedPath, Map<String, String> signedHeaders, byte[] body, String secret,
            String amzDate, String region, String service) throws Exception {
        StringBuilder canonicalUri = new StringBuilder();
        for (String segment : encodedPath.split("/", -1)) {
            canonicalUri.append(canonicalUri.length() == 0 && segment.isEmpty() ? "" : "/").append(uriEncode(segment));
        }
        if (canonicalUri.length() == 0) {
            canonicalUri.append('/');
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (Map.Entry<String, String> h : signedHeaders.entrySet()) {
            canonicalHeaders.append(h.getKey()).append(':').append(h.getValue().strip().replaceAll(" +", " ")).append('\n');
        }
        String names = String.join(";", signedHeaders.keySet());
        String canonicalRequest = method + "\n" + canonicalUri + "\n" + "" + "\n" + canonicalHeaders + "\n" + names + "\n" + hex(sha256(body));
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    /** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other byte %XX in upper case. */
    private static String uriEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * Checks the recorded request's Authorization header against the signature recomputed from what arrived, and
     * returns the signed header names.
     *
     * @param when the signing time the clock gave, or null for the system clock's (then only the format is checked)
     */
    private static List<String> assertValidSignature(RecordedRequest r, String secret, Instant when) throws Exception {
        String authorization = r.getHeaders().get("Authorization");
        Matcher m = AUTHORIZATION.matcher(String.valueOf(authorization));
        assertTrue(m.matches(), "Authorization header: " + authorization);
        String amzDate = r.getHeaders().get("X-Amz-Date");
        assertTrue(amzDate != null && amzDate.matches("\\d{8}T\\d{6}Z"), "x-amz-date: " + amzDate);
        if (when != null) {
            assertEquals(AMZ_DATE.format(when), amzDate, "x-amz-date is the signing time");
        }
        assertEquals(ACCESS_KEY, m.group(1));
        assertEquals(amzDate.substring(0, 8), m.group(2));
        assertEquals(REGION, m.group(3));
        assertEquals("bedrock", m.group(4), "signing name");
        List<String> names = List.of(m.group(5).split(";"));
        assertEquals(names.stream().sorted().toList(), names, "signed headers are sorted");
        Map<String, String> signed = new LinkedHashMap<>();
        for (String name : names) {
            String value = r.getHeaders().get(name);
            assertTrue(value != null, "signed header " + name + " did not arrive");
            signed.put(name, value);
        }
        byte[] body = r.getBody().toByteArray();
        if (r.getHeaders().get("x-amz-content-sha256") != null) {
            assertEquals(hex(sha256(body)), r.getHeaders().get("x-amz-content-sha256"));
        }
        String expected = sigV4(r.getMethod(), r.getUrl().encodedPath(), signed, body, secret, amzDate, REGION, "bedrock");
        assertEquals(expected, m.group(6), "SigV4 signature recomputed from the request that arrived");
        return names;
    }

    @Test
    void signatureCheckReproducesTheAwsTestSuiteAndNoticesTampering() throws Exception {
        // get-vanilla from the AWS Signature Version 4 test suite.
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "example.amazonaws.com");
        headers.put("x-amz-date", "20150830T123600Z");
        assertEquals("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                sigV4("GET", "/", headers, new byte[0], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z",
                        "us-east-1", "service"));

        server.enqueue(ok(titanResponse(1, 0)));
        titan().encode(List.of("hello"), Encoder.Input.QUERY);
        RecordedRequest r = server.takeRequest();
        List<String> names = assertValidSignature(r, SECRET, NOW);
        Map<String, String> signed = new LinkedHashMap<>();
        names.forEach(n -> signed.put(n, r.getHeaders().get(n)));
        String amzDate = r.getHeaders().get("X-Amz-Date");
        String sent = AUTHORIZATION.matcher(r.getHeaders().get("Authorization")).replaceAll("$6");
        String path = r.getUrl().encodedPath();
        byte[] body = r.getBody().toByteArray();
        assertNotEquals(sent, sigV4("POST", path, signed, "{\"inputText\":\"hellO\"}".getBytes(StandardCharsets.UTF_8), SECRET,
                amzDate, REGION, "bedrock"), "another body");
        assertNotEquals(sent, sigV4("POST", path.replace("%3A", ":"), signed, body, SECRET, amzDate, REGION, "bedrock"),
                "the path encoded once less");
        assertNotEquals(sent, sigV4("POST", path, signed, body, SECRET, amzDate, "us-west-2", "bedrock"), "another region");
        assertNotEquals(sent, sigV4("POST", path, signed, body, SECRET, amzDate, REGION, "bedrock-runtime"), "another signing name");
    }

    @Test
    void titanSendsOneSignedRequestPerTextAndReadsTheDocumentedResponse() throws Exception {
        server.enqueue(ok(titanResponse(3, 4)));
        server.enqueue(ok(titanResponse(0, 5)));
        server.enqueue(ok(titanResponse(1, 0)));
        BedrockEncoder enc = titan();

        List<float[]> out = enc.encode(List.of("a", "b", "c"), Encoder.Input.DOCUMENT);

        assertEquals(3, out.size());
        assertArrayEquals(new float[] {0.6f, 0.8f}, out.get(0), 1e-6f);
        assertArrayEquals(new float[] {0f, 1f}, out.get(1), 1e-6f);
        assertArrayEquals(new float[] {1f, 0f}, out.get(2), 1e-6f);
        out.forEach(BedrockEncoderTest::assertUnit);
        assertEquals(3, server.getRequestCount(), "Titan takes one text per request");
        for (String text : List.of("a", "b", "c")) {
            RecordedRequest r = server.takeRequest();
            assertEquals("POST", r.getMethod());
            assertEquals("/model/amazon.titan-embed-text-v2%3A0/invoke", r.getUrl().encodedPath(), "the model id is one encoded segment");
            assertEquals("{\"inputText\":\"" + text + "\"}", r.getBody().utf8(), "only inputText, as semantic-router sends it");
            assertEquals("application/json", r.getHeaders().get("Content-Type"));
            assertEquals("application/json", r.getHeaders().get("Accept"));
            assertNull(r.getHeaders().get("X-Amz-Security-Token"));
            List<String> signed = assertValidSignature(r, SECRET, NOW);
            assertTrue(signed.containsAll(List.of("content-type", "host", "x-amz-date")), "signed: " + signed);
        }
        assertTrue(sleeps.isEmpty());
        assertEquals(2, enc.dimension(), "what the server sent");
    }

    @Test
    void sessionTokenIsSentAndSigned() throws Exception {
        server.enqueue(ok(titanResponse(1, 1)));
        BedrockEncoder enc = encoder("amazon.titan-embed-image-v1", session(), 0);

        enc.encode(List.of("hello"), Encoder.Input.QUERY);

        RecordedRequest r = server.takeRequest();
        assertEquals("/model/amazon.titan-embed-image-v1/invoke", r.getUrl().encodedPath());
        assertEquals(TOKEN, r.getHeaders().get("X-Amz-Security-Token"));
        assertTrue(assertValidSignature(r, SECRET, NOW).contains("x-amz-security-token"));
        String all = r.getHeaders().toString();
        assertFalse(all.contains(SECRET), "the secret key itself is never sent");
    }

    @Test
    void cohereSendsBatchesOfAtMost96AndSearchQueryForQueriesAndDocuments() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("t" + i);
        }
        server.enqueue(ok(cohereResponse(texts.subList(0, 96), 0)));
        server.enqueue(ok(cohereResponse(texts.subList(96, 192), 96)));
        server.enqueue(ok(cohereResponse(texts.subList(192, 200), 192)));
        server.enqueue(ok(cohereResponse(List.of("q"), 0)));
        BedrockEncoder enc = encoder("cohere.embed-english-v3", basic(), 0);

        List<float[]> out = enc.encode(texts, Encoder.Input.DOCUMENT);
        enc.encode(List.of("q"), Encoder.Input.QUERY);

        assertEquals(200, out.size());
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(Encoder.normalize(vectorFor(i)), out.get(i), 1e-6f, "vector " + i);
        }
        int[] sizes = {96, 96, 8, 1};
        int from = 0;
        for (int n = 0; n < 4; n++) {
            RecordedRequest r = server.takeRequest();
            assertEquals("/model/cohere.embed-english-v3/invoke", r.getUrl().encodedPath());
            JsonNode body = json(r);
            assertEquals(2, body.size(), "texts and input_type, nothing else: " + body);
            List<?> sent = MAPPER.convertValue(body.get("texts"), List.class);
            assertEquals(sizes[n], sent.size());
            assertEquals(n < 3 ? texts.subList(from, from + sizes[n]) : List.of("q"), sent);
            assertEquals("search_query", body.get("input_type").asText(),
                    "semantic-router's BedrockEncoder sends search_query for utterances and queries alike");
            assertValidSignature(r, SECRET, NOW);
            from += sizes[n];
        }
        assertFalse(enc.asymmetric());
    }

    @Test
    void cohereEmbeddingsByTypeAreRead() {
        server.enqueue(ok("{\"embeddings\":{\"float\":[[0,3],[4,0]]},\"id\":\"x\",\"response_type\":\"embeddings_by_type\","
                + "\"texts\":[\"a\",\"b\"]}"));
        List<float[]> out = encoder("cohere.embed-v4:0", basic(), 0).encode(List.of("a", "b"), Encoder.Input.DOCUMENT);
        assertArrayEquals(new float[] {0, 1}, out.get(0), 1e-6f);
        assertArrayEquals(new float[] {1, 0}, out.get(1), 1e-6f);
    }

    @Test
    void throttlingIsRetriedAfterRetryAfterWithAFreshSignature() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "2")
                .addHeader("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")
                .body("{\"message\":\"Too many requests, please wait before trying again.\"}").build());
        server.enqueue(ok(titanResponse(0, 2)));
        BedrockEncoder enc = titan();

        List<float[]> out = enc.encode(List.of("x"), Encoder.Input.QUERY);

        assertArrayEquals(new float[] {0, 1}, out.get(0), 1e-6f);
        assertEquals(List.of(2000L), sleeps);
        assertEquals(2, server.getRequestCount());
        assertValidSignature(server.takeRequest(), SECRET, NOW);
        assertValidSignature(server.takeRequest(), SECRET, NOW.plusSeconds(2));
    }

    @Test
    void throttledUntilRetriesRunOutIsExit4WithBedrocksMessage() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(error(429, "ThrottlingException", "Too many requests, please wait before trying again."));
        }
        BedrockEncoder enc = encoder("amazon.titan-embed-text-v1", basic(), 2);

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder at " + url() + " is rate limiting requests (HTTP 429) after 2 retries: "
                + "Too many requests, please wait before trying again.", e.getMessage());
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void rejectedCredentialsAreExit4NamingTheirSourcesWithoutSecrets() {
        server.enqueue(error(403, "ExpiredTokenException", "The security token included in the request is expired"));
        server.enqueue(error(403, "UnrecognizedClientException", "The security token " + TOKEN + " is invalid."));
        BedrockEncoder enc = encoder("amazon.titan-embed-text-v2:0", session(), 3);

        for (String expected : List.of("The security token included in the request is expired", "The security token *** is invalid.")) {
            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertEquals("Bedrock rejected the request (HTTP 403 from " + url() + "): " + expected
                    + "; check the AWS credentials (from TEST SOURCES) and that the account may invoke "
                    + "amazon.titan-embed-text-v2:0 in us-east-1", e.getMessage());
            assertNoSecret(e);
        }
        assertEquals(2, server.getRequestCount(), "no retry on 403");
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void factoryReadsTheEnvironmentAndNamesItWhenRejected() throws Exception {
        server.enqueue(ok(titanResponse(1, 0)));
        server.enqueue(error(403, "InvalidSignatureException", "The request signature we calculated does not match the signature "
                + "you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."));
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_SESSION_TOKEN", TOKEN, "AWS_DEFAULT_REGION", REGION, "AWS_PROFILE", "dev");
        BedrockEncoder enc = BedrockEncoder.create("amazon.titan-embed-text-v2:0", url(), env);
        encoders.add(enc);

        enc.encode(List.of("x"), Encoder.Input.QUERY);
        RecordedRequest r = server.takeRequest();
        assertEquals(TOKEN, r.getHeaders().get("X-Amz-Security-Token"));
        assertValidSignature(r, SECRET, null);

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("y"), Encoder.Input.QUERY));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("Bedrock rejected the request (HTTP 403 from " + url()
                + "): The request signature we calculated does not match"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check the AWS credentials (from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                + "AWS_SESSION_TOKEN) and that the account may invoke amazon.titan-embed-text-v2:0 in us-east-1"), e.getMessage());
        assertNoSecret(e);
    }

    @Test
    void noCredentialsIsExit4NamingWhereItLookedAndSendsNothing() {
        AtomicInteger asked = new AtomicInteger();
        AwsCredentialsProvider none = () -> {
            asked.incrementAndGet();
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain "
                    + "AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), "
                    + "EnvironmentVariableCredentialsProvider(), ProfileCredentialsProvider(profileName=default)])");
        };
        BedrockEncoder enc = encoder("amazon.titan-embed-image-v1", none, 3);

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("no AWS credentials for Bedrock in TEST SOURCES", e.getMessage());
        assertEquals(1, asked.get());
        assertEquals(0, server.getRequestCount());
        assertFalse(enc.clientCreated());
    }

    @Test
    void credentialSourcesNameTheVariablesProfileAndFiles() {
        String sources = BedrockEncoder.credentialSources(Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_CONFIG_FILE", "/etc/aws/config"), null);
        assertTrue(sources.startsWith("the AWS SDK's default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with "
                + "AWS_SESSION_TOKEN for temporary credentials) (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not), "), sources);
        assertTrue(sources.contains("profile 'default' (AWS_PROFILE picks another) in ~/.aws/credentials and /etc/aws/config"
                + " (SSO and role profiles included)"), sources);
        assertTrue(sources.contains("AWS_WEB_IDENTITY_TOKEN_FILE"), sources);
        assertTrue(BedrockEncoder.credentialSources(Map.of("AWS_PROFILE", "dev"), "dev")
                .contains("profile 'dev' (AWS_PROFILE) in ~/.aws/credentials and ~/.aws/config"));
        assertEquals("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", BedrockEncoder.credentialSources(
                Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_PROFILE", "dev"), "dev"),
                "keys in the environment are what is used: the chain is not asked");
        assertTrue(sources.endsWith("the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI) "
                + "and EC2 instance metadata"), sources);
    }

    /**
     * The default chain reaches SSO profiles only when the sso and ssooidc modules and an HTTP client for them (the
     * url-connection-client, the Apache and Netty ones being excluded) are on the class path; it says so when not. No
     * request is made: the session's token is not cached, so the provider fails before it would call anything.
     */
    @Test
    void ssoProfilesFindTheSsoModulesAndTheirHttpClient() {
        ProfileFile config = ProfileFile.builder().type(ProfileFile.Type.CONFIGURATION).content("""
                [profile srouter-sso]
                sso_session = srouter-test-session-that-has-no-cached-token
                sso_account_id = 111122223333
                sso_role_name = ReadOnly
                region = us-east-1
                [sso-session srouter-test-session-that-has-no-cached-token]
                sso_start_url = https://srouter-test.awsapps.com/start
                sso_region = us-east-1
                sso_registration_scopes = sso:account:access
                """).build();
        try (ProfileCredentialsProvider provider = ProfileCredentialsProvider.builder().profileFile(config).profileName("srouter-sso").build()) {
            SdkClientException e = assertThrows(SdkClientException.class, provider::resolveCredentials);
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t).append('\n');
            }
            String text = messages.toString().toLowerCase(Locale.ROOT);
            assertFalse(text.contains("class path") || text.contains("classpath") || text.contains("http implementation"),
                    "a module is missing: " + messages);
            assertTrue(text.contains("sso login"), "the SSO provider ran and found no token: " + messages);
        }
    }

    @Test
    void nothingToEncodeTouchesNoCredentials() {
        AwsCredentialsProvider fails = () -> {
            throw new AssertionError("the credential chain was asked");
        };
        BedrockEncoder enc = encoder("cohere.embed-multilingual-v3", fails, 0);
        assertEquals(List.of(), enc.encode(List.of(), Encoder.Input.QUERY));
        assertFalse(enc.credentialsResolved());
        assertFalse(enc.clientCreated());

        // The factory reads no credential either: without keys in the environment it would use the SDK's chain.
        BedrockEncoder fromEnv = BedrockEncoder.create("cohere.embed-multilingual-v3", url(), Map.of("AWS_REGION", "eu-west-1"));
        encoders.add(fromEnv);
        assertEquals(List.of(), fromEnv.encode(List.of(), Encoder.Input.QUERY));
        assertFalse(fromEnv.credentialsResolved());
    }

    @Test
    void factoryDefaultsFollowSemanticRouter() {
        BedrockEncoder enc = BedrockEncoder.create(null, null, Map.of("AWS_REGION", "eu-central-1", "AWS_DEFAULT_REGION", "us-west-2"));
        encoders.add(enc);
        assertEquals("bedrock", enc.type());
        assertEquals("amazon.titan-embed-image-v1", enc.model());
        assertEquals("bedrock:amazon.titan-embed-image-v1", enc.name());
        assertEquals(1024, enc.dimension());
        assertEquals(0.3, enc.defaultThreshold());
        assertEquals(BedrockEncoder.Family.TITAN, enc.family());
        assertEquals(1, enc.config.batchSize());
        assertFalse(enc.asymmetric());
        assertEquals("eu-central-1", enc.region(), "AWS_REGION before AWS_DEFAULT_REGION");
        assertEquals("https://bedrock-runtime.eu-central-1.amazonaws.com", enc.displayUrl());
        assertEquals("bedrock:amazon.titan-embed-image-v1@bedrock-runtime.eu-central-1.amazonaws.com", enc.cacheKey());

        BedrockEncoder named = BedrockEncoder.create(" ", null, Map.of("AWS_DEFAULT_REGION", "us-west-2",
                "BEDROCK_EMBEDDING_MODEL", "cohere.embed-english-v3"));
        encoders.add(named);
        assertEquals("cohere.embed-english-v3", named.model(), "semantic-router's BEDROCK_EMBEDDING_MODEL");
        assertEquals(96, named.config.batchSize());
        assertEquals("us-west-2", named.region());
        assertEquals(BedrockEncoder.Family.COHERE, named.family());

        BedrockEncoder vpc = BedrockEncoder.create("amazon.titan-embed-text-v1", "https://vpce-0abc.bedrock-runtime.us-west-2.vpce.amazonaws.com/",
                Map.of("AWS_REGION", "us-west-2"));
        encoders.add(vpc);
        assertEquals("https://vpce-0abc.bedrock-runtime.us-west-2.vpce.amazonaws.com", vpc.displayUrl());
    }

    @Test
    void regionComesFromTheVariablesThenTheSdkChain() {
        assertEquals("ap-south-1", BedrockEncoder.region(Map.of("AWS_REGION", " ap-south-1 "), () -> "xx"));
        assertEquals("eu-west-3", BedrockEncoder.region(Map.of("AWS_REGION", "", "AWS_DEFAULT_REGION", "eu-west-3"), () -> "xx"));
        assertEquals("from-profile", BedrockEncoder.region(Map.of(), () -> "from-profile"));
        assertNull(BedrockEncoder.region(Map.of(), () -> null));

        HttpEncoder.Config config = HttpEncoder.Config.defaults(url(), null, "amazon.titan-embed-text-v1", 1);
        SrouterException e = assertThrows(SrouterException.class, () -> new BedrockEncoder(config, null, BedrockEncoderTest::basic,
                "TEST SOURCES", clock, null));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals(BedrockEncoder.MISSING_REGION, e.getMessage());
    }

    @Test
    void knownDimensions() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("amazon.titan-embed-image-v1", 1024);
        expected.put("amazon.titan-embed-text-v1", 1536);
        expected.put("amazon.titan-embed-text-v1:2:8k", 1536);
        expected.put("amazon.titan-embed-text-v2:0", 1024);
        expected.put("cohere.embed-english-v3", 1024);
        expected.put("cohere.embed-multilingual-v3", 1024);
        expected.put("cohere.embed-v4:0", 1536);
        expected.put("us.cohere.embed-v4:0", 1536);
        expected.put("amazon.titan-embed-text-v9:0", -1);
        expected.forEach((model, dim) -> assertEquals(dim, encoder(model, basic(), 0).dimension(), model));
    }

    @Test
    void unknownModelFamilyIsAUsageError() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> BedrockEncoder.create("meta.llama3-8b-instruct-v1:0", url(), Map.of("AWS_REGION", REGION)));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("unknown Bedrock embedding model 'meta.llama3-8b-instruct-v1:0'"), e.getMessage());
    }

    @Test
    void validationErrorIsExit1WithBedrocksMessageAndNoRetry() {
        server.enqueue(error(400, "ValidationException", "Malformed input request: expected maxLength: 50000, actual: 50001, please reformat your input and try again."));
        BedrockEncoder enc = titan();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + url() + " refused the request (HTTP 400): Malformed input request: expected maxLength: "
                + "50000, actual: 50001, please reformat your input and try again.", e.getMessage());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void malformedResponsesFailClearly() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"inputTextTokenCount\":3}", "no \"embedding\" array");
        cases.put("{\"embedding\":[],\"inputTextTokenCount\":3}", "the response has no embedding array of numbers");
        cases.put("{\"embedding\":[0.1,\"x\"]}", "the response has a non-numeric value in its embedding");
        cases.put("<html>oops</html>", "not JSON");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            server.enqueue(ok(c.getKey()));
            BedrockEncoder enc = titan();
            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY), c.getKey());
            assertEquals(ExitCode.FAILURE, e.exitCode(), c.getKey());
            assertTrue(e.getMessage().startsWith("the encoder at " + url() + " returned a malformed response: " + c.getValue()),
                    c.getKey() + " gave " + e.getMessage());
        }

        server.enqueue(ok(cohereResponse(List.of("a"), 0)));
        BedrockEncoder cohere = encoder("cohere.embed-english-v3", basic(), 0);
        SrouterException e = assertThrows(SrouterException.class, () -> cohere.encode(List.of("a", "b"), Encoder.Input.QUERY));
        assertEquals("the encoder at " + url() + " returned a malformed response: 1 vectors for 2 texts", e.getMessage());

        server.enqueue(ok("{\"embedding\":[1,2]}"));
        BedrockEncoder cohere2 = encoder("cohere.embed-english-v3", basic(), 0);
        e = assertThrows(SrouterException.class, () -> cohere2.encode(List.of("a"), Encoder.Input.QUERY));
        assertEquals("the encoder at " + url() + " returned a malformed response: no \"embeddings\" array", e.getMessage());
    }
}
