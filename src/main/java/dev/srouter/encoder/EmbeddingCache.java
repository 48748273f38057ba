package dev.srouter.encoder;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * PLACEHOLDER (in-memory only) - to be replaced by the on-disk implementation.
 */
public final class EmbeddingCache implements AutoCloseable {
    private final Map<String, float[]> entries = new HashMap<>();

    public static Path defaultDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "srouter");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "srouter");
    }

    public static EmbeddingCache open(Path dir, String encoderKey, Consumer<String> warn) {
        return new EmbeddingCache();
    }

    public float[] get(String text) {
        return entries.get(text);
    }

    public void putAll(Map<String, float[]> newEntries) {
        entries.putAll(newEntries);
    }

    public int size() {
        return entries.size();
    }

    @Override
    public void close() {}
}
