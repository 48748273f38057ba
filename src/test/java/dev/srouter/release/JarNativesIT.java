package dev.srouter.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The natives inside target/srouter.jar, per platform: every platform whose ONNX Runtime the jar ships must also
 * have the Hugging Face tokenizer library the local encoder loads (DJL's {@code native/lib/<platform>/cpu/}), and
 * each tokenizer library must export every JNI function that DJL's Java side declares, so that one built by another
 * DJL release (the Intel Mac one) links. The listing is written to target/jar-natives.txt.
 */
class JarNativesIT {
    static final Path JAR = Path.of("target/srouter.jar");
    /** ONNX Runtime's platform directory and DJL's name for the same platform. */
    static final Map<String, String> PLATFORMS = Map.of(
            "linux-x64", "linux-x86_64",
            "linux-aarch64", "linux-aarch64",
            "osx-x64", "osx-x86_64",
            "osx-aarch64", "osx-aarch64",
            "win-x64", "win-x86_64");

    @Test
    void everyOnnxRuntimePlatformHasItsTokenizerAndEveryTokenizerLinks() throws Exception {
        Map<String, List<String>> listing = natives(JAR);
        Files.writeString(Path.of("target/jar-natives.txt"), render(listing));
        TreeSet<String> ortPlatforms = new TreeSet<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("ai/onnxruntime/native/") && name.matches("ai/onnxruntime/native/[^/]+/[^/]*onnxruntime\\.(so|dylib|dll)")) {
                    ortPlatforms.add(name.split("/")[3]);
                }
            }
            assertEquals(new TreeSet<>(PLATFORMS.keySet()), ortPlatforms, "ONNX Runtime's platforms in the jar");
            List<String> symbols = jniSymbols();
            for (String ort : ortPlatforms) {
                String djl = PLATFORMS.get(ort);
                String file = djl.startsWith("win") ? "tokenizers.dll" : djl.startsWith("osx") ? "libtokenizers.dylib" : "libtokenizers.so";
                JarEntry lib = jar.getJarEntry("native/lib/" + djl + "/cpu/" + file);
                assertTrue(lib != null, "ONNX Runtime ships " + ort + " but the tokenizer library for " + djl + " is missing:\n" + render(listing));
                byte[] bytes;
                try (InputStream in = jar.getInputStream(lib)) {
                    bytes = in.readAllBytes();
                }
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                List<String> missing = symbols.stream().filter(s -> !text.contains(s)).toList();
                assertEquals(List.of(), missing, djl + "'s tokenizer library lacks JNI functions DJL declares");
            }
        }
    }

    /** {@code Java_ai_djl_huggingface_tokenizers_jni_TokenizersLibrary_<method>} for each native method DJL's Java side declares. */
    static List<String> jniSymbols() throws ClassNotFoundException {
        Class<?> library = Class.forName("ai.djl.huggingface.tokenizers.jni.TokenizersLibrary");
        List<String> symbols = new ArrayList<>();
        for (Method m : library.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                symbols.add("Java_" + library.getName().replace("_", "_1").replace('.', '_') + "_" + m.getName().replace("_", "_1"));
            }
        }
        assertTrue(symbols.size() > 10, "TokenizersLibrary declares native methods: " + symbols);
        return symbols;
    }

    /** Native libraries in the jar by the platform directory they sit in (the path without the file name). */
    static Map<String, List<String>> natives(Path jarPath) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.matches(".*\\.(so|dylib|dll|jnilib)$")) {
                    int slash = name.lastIndexOf('/');
                    out.computeIfAbsent(name.substring(0, Math.max(0, slash)), k -> new ArrayList<>())
                            .add(name.substring(slash + 1) + " (" + entry.getSize() / 1024 + " KB)");
                }
            }
        }
        return out;
    }

    static String render(Map<String, List<String>> listing) {
        StringBuilder sb = new StringBuilder();
        listing.forEach((dir, files) -> sb.append(dir).append(": ").append(String.join(", ", files)).append('\n'));
        return sb.toString();
    }
}
