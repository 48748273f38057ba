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

    /**
     * Whether the server at this address completes a TLS handshake: a diagnosis for a plaintext
     * connection that the server closed without an answer (gRPC's "Network closed for unknown
     * reason"), which is what a TLS-only server does to a plaintext client. The probe sends a
     * ClientHello and nothing else (no request, no key); it accepts any certificate because it only
     * asks whether TLS is spoken, never trusts the answer for anything.
     */
    public boolean speaksTls(java.time.Duration timeout) {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            try (java.net.Socket raw = new java.net.Socket()) {
                int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                raw.connect(new java.net.InetSocketAddress(host, port), ms);
                raw.setSoTimeout(ms);
                try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(raw, host, port, false)) {
                    tls.startHandshake();
                    return true;
                }
            }
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            return false;
        }
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
