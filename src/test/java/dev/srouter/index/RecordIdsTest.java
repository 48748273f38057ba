package dev.srouter.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The ids must be byte for byte those semantic-router computes, or a Python service and srouter sharing
 * an index would each see the other's records as foreign and duplicate them. The expected values were
 * computed with Python's {@code uuid.uuid5} and {@code hashlib.sha256}.
 */
class RecordIdsTest {

    @Test
    void qdrantPointIdsAreUuid5OfRouteAndUtterance() {
        assertEquals("6583a1f8-7b8b-5502-b61e-6e740fa05c17",
                RecordIds.qdrantPointId(null, "politics", "isn't politics the best thing ever"));
        assertEquals("21f35afb-8cfe-5263-9a64-0abd2c34d345",
                RecordIds.qdrantPointId(null, "chitchat", "how's the weather today?"));
    }

    @Test
    void nonAsciiTextIsHashedAsUtf8() {
        assertEquals("b4a37f69-7d75-5d06-8202-7387b3bb39cf", RecordIds.qdrantPointId(null, "customer support", "where is my order? 🚚"));
    }

    @Test
    void aNamespacePrefixesTheName() {
        assertEquals("b2e40fa8-bb6d-533c-b1ae-fa80477ac7d0",
                RecordIds.qdrantPointId("acme", "politics", "isn't politics the best thing ever"));
        // Python tests `if namespace:`, so an empty namespace is none.
        assertEquals(RecordIds.qdrantPointId(null, "politics", "x"), RecordIds.qdrantPointId("", "politics", "x"));
    }

    @Test
    void qdrantConfigIdsAreUuid5OfFieldAndScope() {
        assertEquals("3ab75a8d-c2ce-565e-af83-90c3682d01c5", RecordIds.qdrantConfigId("sr_hash", "semantic-router-index"));
        assertEquals("52c69c0a-0881-57b5-8d2e-01c64fcfb32e", RecordIds.qdrantConfigId("sr_lock", "semantic-router-index"));
        assertEquals("semantic-router-index", RecordIds.configScope(null, "semantic-router-index"));
        assertEquals("acme", RecordIds.configScope("acme", "semantic-router-index"));
    }

    @Test
    void uuid5HasVersion5AndTheRfc4122Variant() {
        UUID id = RecordIds.uuid5(RecordIds.NAMESPACE_DNS, "anything at all");
        assertEquals(5, id.version());
        assertEquals(2, id.variant());
        // RFC 4122 appendix B's example namespace, through Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        assertEquals("886313e1-3b8a-5372-9b90-0c9aee199e5d", RecordIds.uuid5(RecordIds.NAMESPACE_DNS, "python.org").toString());
    }

    @Test
    void pineconeVectorIdsAreRouteWithDashesAndSha256OfTheUtterance() {
        assertEquals("politics#ed0f3dd7bd5dea12e55b1953bcd2c562a5ab19f501f6d5ff8c8927652c3904b8",
                RecordIds.pineconeVectorId("politics", "isn't politics the best thing ever"));
        assertEquals("customer-support#01f0179d50d366058fa0726909181f03ca4173683c84000ab19270660e7d8c90",
                RecordIds.pineconeVectorId("customer support", "where is my order? 🚚"));
    }

    @Test
    void pineconeConfigIdsAreFieldHashNamespace() {
        assertEquals("sr_hash#acme", RecordIds.pineconeConfigId("sr_hash", "acme"));
        assertEquals("sr_lock#", RecordIds.pineconeConfigId("sr_lock", null));
    }

    @Test
    void postgresIdsAreSemanticRouters() {
        // Python: c = route.strip().replace(" ", "-"); c + "#" + str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_DNS, c), utterance))
        assertEquals("politics#af3cd8c8-defb-5940-b66a-d59e8dbbada7",
                RecordIds.postgresRecordId("politics", "isn't politics the best thing ever"));
        assertEquals("customer-support#6696e944-220a-5bbd-a439-39cb8f9a9ac4",
                RecordIds.postgresRecordId(" customer support ", "where is my order? \uD83D\uDE9A"));
        // Python's whitespace, not Java's: NBSP and U+001C are stripped, the inner em space stays and only ' ' becomes '-'.
        assertEquals("x\u2003-y#7511b6ad-8622-5cce-bde5-7ac5070b3ec5", RecordIds.postgresRecordId("\u00a0x\u2003 y\u001c", "u"));
        assertEquals(RecordIds.postgresRecordId("customer support", "u"), RecordIds.postgresRecordId("customer-support", "u"));
        assertEquals("\u200bab\u200b", RecordIds.pythonStrip(" \u200bab\u200b\t"), "U+200B is no whitespace to Python");
    }
}
