package dev.srouter.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The deterministic ids of the remote layout (DESIGN.md, "Remote layout"), byte for byte those of
 * semantic-router 0.1.x, so that a Python service and srouter address the same records: writing a
 * record twice replaces it instead of duplicating it, and either tool can delete what the other wrote.
 *
 * <p>Strings are hashed as UTF-8, as Python does. (A Java string with an unpaired surrogate has no
 * UTF-8 form; Python refuses it, Java's encoder substitutes {@code ?}. No YAML file can hold one.)
 */
public final class RecordIds {
    /** RFC 4122's name space for DNS names, Python's {@code uuid.NAMESPACE_DNS}. */
    public static final UUID NAMESPACE_DNS = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

    private RecordIds() {}

    /**
     * Qdrant point id: {@code uuid5(NAMESPACE_DNS, "{namespace}:{route}:{utterance}")}, without the namespace part
     * when it is null or empty.
     */
    public static String qdrantPointId(String namespace, String route, String utterance) {
        String name = hasNamespace(namespace) ? namespace + ":" + route + ":" + utterance : route + ":" + utterance;
        return uuid5(NAMESPACE_DNS, name).toString();
    }

    /**
     * Qdrant config point id in collection {@code sr_config}: {@code uuid5(NAMESPACE_DNS, "{field}#{scope}")}; the
     * scope is the namespace, else the index name.
     */
    public static String qdrantConfigId(String field, String scope) {
        return uuid5(NAMESPACE_DNS, field + "#" + scope).toString();
    }

    /** The scope of a config entry: the namespace when there is one, else the index name. */
    public static String configScope(String namespace, String indexName) {
        return hasNamespace(namespace) ? namespace : indexName;
    }

    /** Pinecone vector id: {@code "{route with spaces as -}#{sha256 hex of utterance}"}. */
    public static String pineconeVectorId(String route, String utterance) {
        return route.replace(' ', '-') + "#" + sha256Hex(utterance);
    }

    /** Pinecone config vector id in namespace {@code sr_config}: {@code "{field}#{namespace}"}, empty namespace when none. */
    public static String pineconeConfigId(String field, String namespace) {
        return field + "#" + (namespace == null ? "" : namespace);
    }

    /**
     * PostgreSQL record id, semantic-router 0.1.x's {@code PostgresIndexRecord}: {@code "{clean}#{uuid5(uuid5(NAMESPACE_DNS,
     * clean), utterance)}"}, where {@code clean} is the route name stripped of surrounding whitespace (Python's
     * {@code str.strip()}) with each space turned into a dash.
     */
    public static String postgresRecordId(String route, String utterance) {
        String clean = postgresCleanRoute(route);
        return clean + "#" + uuid5(uuid5(NAMESPACE_DNS, clean), utterance);
    }

    /** The route part of a PostgreSQL record id: Python's {@code route.strip().replace(" ", "-")}. */
    public static String postgresCleanRoute(String route) {
        return pythonStrip(route).replace(' ', '-');
    }

    /**
     * Python 3's {@code str.strip()} with no argument: removes the characters {@code str.isspace()} holds true for
     * (bidirectional class WS, B or S, or category Zs), which are not Java's {@link String#strip()} set (U+00A0,
     * U+001C..U+001F and U+0085 are Python whitespace and not Java's; U+200B is neither).
     */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && pythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && pythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean pythonSpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= ' ') || c == '\u0085' || c == '\u00a0' || c == '\u1680'
                || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f'
                || c == '\u3000';
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}, Python's {@code hashlib.sha256(text.encode()).hexdigest()}. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * RFC 4122 name-based UUID, version 5: the first 16 bytes of SHA-1(namespace bytes, name as
     * UTF-8), with the version nibble set to 5 and the variant bits to {@code 10}. Python's
     * {@code uuid.uuid5}; the JDK only has version 3 (MD5).
     */
    public static UUID uuid5(UUID namespace, String name) {
        MessageDigest sha1 = digest("SHA-1");
        byte[] ns = new byte[16];
        long msb = namespace.getMostSignificantBits();
        long lsb = namespace.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            ns[i] = (byte) (msb >>> (56 - 8 * i));
            ns[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        sha1.update(ns);
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // variant 10xx
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (hash[i] & 0xff);
            low = (low << 8) | (hash[8 + i] & 0xff);
        }
        return new UUID(high, low);
    }

    private static boolean hasNamespace(String namespace) {
        return namespace != null && !namespace.isEmpty();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
