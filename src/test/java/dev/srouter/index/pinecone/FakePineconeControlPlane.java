package dev.srouter.index.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The HTTP control plane of {@link FakePineconeServer}, speaking the JSON of Pinecone's REST API (2025-10, as
 * the Java client 6.1.0 sends it): {@code POST /indexes} (201; 409 ALREADY_EXISTS; 400 on bad input),
 * {@code GET /indexes/{name}} (200; 404 NOT_FOUND), {@code GET /indexes} and {@code DELETE /indexes/{name}}
 * (202; 403 when deletion protection is on). Header {@code Api-Key} is checked first (401 UNAUTHENTICATED).
 * Dense indexes: serverless ones, and pod-based ({@code spec.pod}) and BYOC ({@code spec.byoc}) ones described as
 * the API describes them (their data plane refuses List, as Pinecone's does); sparse indexes, dedicated read
 * capacity and every other path (collections, backups, configure, ...) are refused with 400 naming what is
 * unsupported. Errors carry
 * Pinecone's shape: {@code {"error": {"code": "NOT_FOUND", "message": "..."}, "status": 404}}.
 */
final class FakePineconeControlPlane {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?");
    private static final Set<String> METRICS = Set.of("cosine", "euclidean", "dotproduct");
    private static final int MAX_DIMENSION = 20_000;

    private final FakePineconeServer server;
    private final HttpServer http;
    private final ExecutorService executor;

    FakePineconeControlPlane(FakePineconeServer server, int port) throws IOException {
        this.server = server;
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-pinecone-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    void stop() {
        http.stop(0);
        executor.shutdownNow();
    }

    /** Why these index settings would be refused (Pinecone's rules), or null when they are fine. */
    static String validateIndex(String name, int dimension, String metric) {
        if (name == null || !INDEX_NAME.matcher(name).matches()) {
            return "Name must be 1 to 45 characters of lower case alphanumeric characters or '-', starting and"
                    + " ending with an alphanumeric character; got '" + name + "'";
        }
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            return "Dimension must be between 1 and " + MAX_DIMENSION + "; got " + dimension;
        }
        if (!METRICS.contains(metric)) {
            return "Metric must be one of cosine, euclidean, dotproduct; got '" + metric + "'";
        }
        return null;
    }

    private record Reply(int status, Object body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = answer(exchange);
            } catch (RuntimeException e) {
                // A bug here must not look like a hang to the client.
                reply = error(500, "FakePineconeServer bug: " + e);
            }
            send(exchange, reply);
        }
    }

    private Reply answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String name = null;
        String route;
        if (path.equals("/indexes") || path.equals("/indexes/")) {
            route = "/indexes";
        } else if (path.startsWith("/indexes/") && path.indexOf('/', "/indexes/".length()) < 0) {
            route = "/indexes/{name}";
            name = URLDecoder.decode(path.substring("/indexes/".length()), StandardCharsets.UTF_8);
        } else {
            route = path;
        }
        int injected = server.countHttp("http:" + method + " " + route);
        server.sleepLatency();
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        if (injected != 0) {
            return error(injected, "injected fault: FakePineconeServer.failHttp on " + method + " " + route);
        }
        if (server.checkApiKey(exchange.getRequestHeaders().getFirst("Api-Key")) != null) {
            return error(401, "Invalid API Key");
        }
        return route(method, route, name, requestBody);
    }

    private Reply route(String method, String route, String name, byte[] body) {
        switch (method + " " + route) {
            case "POST /indexes":
                return create(body);
            case "GET /indexes":
                return list();
            case "GET /indexes/{name}":
                return describe(name);
            case "DELETE /indexes/{name}":
                return delete(name);
            default:
                return error(400, "FakePineconeServer does not implement " + method + " " + route);
        }
    }

    private Reply create(byte[] body) {
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "Request body is not valid JSON");
        }
        if (req == null || !req.isObject()) {
            return error(400, "Request body must be a JSON object");
        }
        JsonNode vectorType = req.path("vector_type");
        if (!vectorType.isMissingNode() && !vectorType.isNull() && !"dense".equals(vectorType.asText())) {
            return error(400, "FakePineconeServer supports dense indexes only, not vector_type '"
                    + vectorType.asText() + "'");
        }
        if (!req.path("name").isTextual()) {
            return error(400, "Missing required field 'name'");
        }
        if (!req.path("dimension").canConvertToInt() || !req.path("dimension").isIntegralNumber()) {
            return error(400, "Missing or non-integer field 'dimension'");
        }
        String name = req.get("name").asText();
        int dimension = req.get("dimension").asInt();
        String metric = req.path("metric").isTextual() ? req.get("metric").asText() : "cosine";
        String problem = validateIndex(name, dimension, metric);
        if (problem != null) {
            return error(400, problem);
        }
        JsonNode spec = req.path("spec");
        String kind;
        String environment = null;
        String podType = null;
        String cloud = null;
        String region = null;
        if (spec.has("pod")) {
            JsonNode pod = spec.get("pod");
            if (!pod.path("environment").isTextual() || !pod.path("pod_type").isTextual()) {
                return error(400, "spec.pod with 'environment' and 'pod_type' is required");
            }
            kind = "pod";
            environment = pod.get("environment").asText();
            podType = pod.get("pod_type").asText();
        } else if (spec.has("byoc")) {
            if (!spec.get("byoc").path("environment").isTextual()) {
                return error(400, "spec.byoc with 'environment' is required");
            }
            kind = "byoc";
            environment = spec.get("byoc").get("environment").asText();
        } else {
            JsonNode serverless = spec.path("serverless");
            if (!serverless.path("cloud").isTextual() || !serverless.path("region").isTextual()) {
                return error(400, "spec.serverless with 'cloud' and 'region' is required");
            }
            JsonNode readCapacity = serverless.path("read_capacity");
            if (readCapacity.isObject() && !"OnDemand".equals(readCapacity.path("mode").asText("OnDemand"))) {
                return error(400, "FakePineconeServer supports read_capacity mode OnDemand only");
            }
            kind = "serverless";
            cloud = serverless.get("cloud").asText();
            region = serverless.get("region").asText();
        }
        String protection = req.path("deletion_protection").asText("disabled");
        if (!protection.equals("enabled") && !protection.equals("disabled")) {
            return error(400, "deletion_protection must be 'enabled' or 'disabled'");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = req.path("tags").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tags.put(e.getKey(), e.getValue().asText());
        }
        synchronized (server.lock) {
            if (server.indexes.containsKey(name)) {
                return error(409, "Resource " + name + " already exists");
            }
            String quota = kind.equals("serverless") ? server.serverlessQuotaExceeded() : null;
            if (quota != null) {
                return error(403, quota);
            }
            FakePineconeServer.IndexState state = new FakePineconeServer.IndexState(name, dimension, metric,
                    cloud, region, protection, Map.copyOf(tags), server.notReadyDescribesSetting());
            state.kind = kind;
            state.environment = environment;
            state.podType = podType;
            state.initializationFailed = server.initializationFailsSetting();
            server.addIndex(state);
            return new Reply(201, model(state));
        }
    }

    private Reply describe(String name) {
        synchronized (server.lock) {
            FakePineconeServer.IndexState state = server.indexes.get(name);
            if (state == null) {
                return error(404, "Resource " + name + " not found");
            }
            ObjectNode model = model(state);
            if (state.describesUntilReady > 0) {
                state.describesUntilReady--;
            }
            return new Reply(200, model);
        }
    }

    private Reply list() {
        synchronized (server.lock) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = body.putArray("indexes");
            server.indexes.values().forEach(state -> list.add(model(state)));
            return new Reply(200, body);
        }
    }

    private Reply delete(String name) {
        synchronized (server.lock) {
            FakePineconeServer.IndexState state = server.indexes.get(name);
            if (state == null) {
                return error(404, "Resource " + name + " not found");
            }
            if (state.deletionProtection.equals("enabled")) {
                return error(403, "Deletion protection is enabled for this index. Disable deletion protection"
                        + " before retrying.");
            }
            server.removeIndex(name);
            return new Reply(202, null);
        }
    }

    /** Under the server lock: the index's description as the API returns it. */
    private ObjectNode model(FakePineconeServer.IndexState state) {
        ObjectNode m = JSON.createObjectNode();
        m.put("name", state.name);
        m.put("vector_type", "dense");
        m.put("metric", state.metric);
        m.put("dimension", state.dimension);
        ObjectNode status = m.putObject("status");
        boolean ready = state.describesUntilReady == 0 && !state.initializationFailed;
        status.put("ready", ready);
        status.put("state", ready ? "Ready" : state.initializationFailed ? "InitializationFailed" : "Initializing");
        m.put("host", server.hostOf(state.name));
        ObjectNode spec = m.putObject("spec");
        switch (state.kind) {
            case "pod" -> {
                ObjectNode pod = spec.putObject("pod");
                pod.put("environment", state.environment);
                pod.put("pod_type", state.podType);
                pod.put("pods", 1);
                pod.put("replicas", 1);
                pod.put("shards", 1);
            }
            case "byoc" -> spec.putObject("byoc").put("environment", state.environment);
            default -> {
                ObjectNode serverless = spec.putObject("serverless");
                serverless.put("cloud", state.cloud);
                serverless.put("region", state.region);
                ObjectNode readCapacity = serverless.putObject("read_capacity");
                readCapacity.put("mode", "OnDemand");
                readCapacity.putObject("status").put("state", "Ready");
            }
        }
        m.put("deletion_protection", state.deletionProtection);
        if (!state.tags.isEmpty()) {
            ObjectNode tags = m.putObject("tags");
            state.tags.forEach(tags::put);
        }
        return m;
    }

    private static Reply error(int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", codeFor(status));
        error.put("message", message);
        body.put("status", status);
        return new Reply(status, body);
    }

    private static String codeFor(int status) {
        switch (status) {
            case 400:
                return "INVALID_ARGUMENT";
            case 401:
                return "UNAUTHENTICATED";
            case 403:
                return "FORBIDDEN";
            case 404:
                return "NOT_FOUND";
            case 409:
                return "ALREADY_EXISTS";
            case 412:
                return "FAILED_PRECONDITION";
            case 429:
                return "RESOURCE_EXHAUSTED";
            case 503:
                return "UNAVAILABLE";
            default:
                return status >= 500 ? "UNKNOWN" : "INVALID_ARGUMENT";
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.body() == null) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
