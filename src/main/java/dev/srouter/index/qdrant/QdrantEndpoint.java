package dev.srouter.index.qdrant;

import dev.srouter.core.SrouterException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a Qdrant server listens for gRPC, from {@code --qdrant-url} / {@code QDRANT_URL}:
 * {@code http://HOST[:PORT]} (plaintext), {@code https://HOST[:PORT]} (TLS) or a bare
 * {@code HOST[:PORT]} (plaintext). The port defaults to 6334, Qdrant's gRPC port, for both schemes.
 */
public record QdrantEndpoint(String host, int port, boolean tls) {
    public static final int GRPC_PORT = 6334;
    /** Qdrant's REST port: a URL copied from a dashboard often names it, and gRPC cannot talk to it. */
    public static final int REST_PORT = 6333;
    public static final String DEFAULT_URL = "http://localhost:" + GRPC_PORT;

    /** Parses a URL; a malformed one is a usage error (exit 64) that shows the expected forms. */
    public static QdrantEndpoint parse(String url) {
        if (url == null || url.isBlank()) {
            url = DEFAULT_URL;
        }
        String text = url.strip();
        String withScheme = text.contains("://") ? text : "http://" + text;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw bad(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw bad(text);
        }
        String host = uri.getHost();
        String path = uri.getRawPath();
        if (host == null || host.isEmpty() || (path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawUserInfo() != null) {
            throw bad(text);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new QdrantEndpoint(host, uri.getPort() == -1 ? GRPC_PORT : uri.getPort(), scheme.equals("https"));
    }

    /** The endpoint as a URL, for messages: {@code http://localhost:6334}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "https://" : "http://") + h + ":" + port;
    }

    private static SrouterException bad(String url) {
        // A URL may carry credentials (user:password@): never echo them.
        String shown = url.replaceAll("(?<=//)[^/@]*@", "...@");
        return SrouterException.usage("Qdrant URL '" + shown + "' is not one srouter can use: expected http://HOST[:PORT] "
                + "(plaintext) or https://HOST[:PORT] (TLS); the gRPC port defaults to " + GRPC_PORT);
    }
}
