package dev.srouter.index.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.SrouterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QdrantEndpointTest {

    @Test
    void theSchemeChoosesTlsAndThePortDefaultsToGrpc() {
        assertEquals(new QdrantEndpoint("localhost", 6334, false), QdrantEndpoint.parse("http://localhost"));
        assertEquals(new QdrantEndpoint("qdrant.internal", 7000, false), QdrantEndpoint.parse("http://qdrant.internal:7000/"));
        assertEquals(new QdrantEndpoint("xyz.eu-central.aws.cloud.qdrant.io", 6334, true),
                QdrantEndpoint.parse("https://xyz.eu-central.aws.cloud.qdrant.io"));
        assertEquals(new QdrantEndpoint("10.0.0.5", 6334, false), QdrantEndpoint.parse("10.0.0.5"));
        assertEquals(new QdrantEndpoint("10.0.0.5", 6400, false), QdrantEndpoint.parse(" 10.0.0.5:6400 "));
        assertEquals(new QdrantEndpoint("::1", 6334, false), QdrantEndpoint.parse("http://[::1]"));
        assertEquals(new QdrantEndpoint("q", 6334, true), QdrantEndpoint.parse("HTTPS://q"));
    }

    @Test
    void noUrlMeansTheLocalDefault() {
        assertEquals(new QdrantEndpoint("localhost", 6334, false), QdrantEndpoint.parse(null));
        assertEquals(new QdrantEndpoint("localhost", 6334, false), QdrantEndpoint.parse("  "));
    }

    @Test
    void urlsAreShownWithSchemeAndPort() {
        assertEquals("https://q.example:6334", QdrantEndpoint.parse("https://q.example").url());
        assertEquals("http://[::1]:6334", QdrantEndpoint.parse("http://[::1]").url());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host", "http://host/collections", "http://host?x=1", "http://user:pw@host", "http://", "http://host:notaport"})
    void anythingElseIsAUsageErrorThatShowsTheForms(String url) {
        SrouterException e = assertThrows(SrouterException.class, () -> QdrantEndpoint.parse(url));
        assertEquals(64, e.exitCode());
        assertTrue(e.getMessage().contains("http://HOST[:PORT]") && e.getMessage().contains("6334"), e.getMessage());
        if (url.contains("pw")) {
            assertTrue(!e.getMessage().contains("pw@"), "a password in the URL is not echoed: " + e.getMessage());
        }
    }
}
