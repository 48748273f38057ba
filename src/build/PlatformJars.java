import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits the all-platform jar into what the per-platform archives carry (release build only; run by .ci/release-check):
 *
 * <pre>java src/build/PlatformJars.java target/srouter.jar target/platform [--split JAR ENTRY]...</pre>
 *
 * writes {@code srouter.jar} (everything but native libraries, the manifest included) and, for each of the five
 * platforms whose ONNX Runtime the jar ships, {@code natives-PLATFORM.jar} with that platform's native libraries
 * only: ONNX Runtime, the Hugging Face tokenizers, Netty (two copies: gRPC's shaded one and Pinecone's), JNA and
 * JLine. Natives of other platforms (JNA's FreeBSD, Solaris, 32-bit...) go nowhere. A native library of a family
 * not listed here stops the split, so that a new dependency's natives are never dropped unseen. {@code --split JAR
 * ENTRY} moves an entry out of srouter.jar into JAR (the optional second model, a jar of its own that a user drops
 * beside the others). Prints what went where.
 */
public final class PlatformJars {
    static final List<String> PLATFORMS = List.of("linux-x86_64", "linux-aarch_64", "osx-x86_64", "osx-aarch_64", "windows-x86_64");
    static final Map<Pattern, Map<String, String>> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put(Pattern.compile("ai/onnxruntime/native/([^/]+)/.+"), Map.of("linux-x64", "linux-x86_64", "linux-aarch64", "linux-aarch_64", "osx-x64", "osx-x86_64", "osx-aarch64", "osx-aarch_64", "win-x64", "windows-x86_64"));
        FAMILIES.put(Pattern.compile("native/lib/([^/]+)/.+"), Map.of("linux-x86_64", "linux-x86_64", "linux-aarch64", "linux-aarch_64", "osx-x86_64", "osx-x86_64", "osx-aarch64", "osx-aarch_64", "win-x86_64", "windows-x86_64"));
        FAMILIES.put(Pattern.compile("META-INF/native/[^/]*?((?:linux|osx|windows)_(?:x86_64|aarch_64)|epoll_(?:x86_64|aarch_64))\\.[a-z]+"),
                Map.of("linux_x86_64", "linux-x86_64", "epoll_x86_64", "linux-x86_64", "linux_aarch_64", "linux-aarch_64", "epoll_aarch_64", "linux-aarch_64", "osx_x86_64", "osx-x86_64", "osx_aarch_64", "osx-aarch_64", "windows_x86_64", "windows-x86_64"));
        FAMILIES.put(Pattern.compile("com/sun/jna/([^/]+)/[^/]+"), Map.of("linux-x86-64", "linux-x86_64", "linux-aarch64", "linux-aarch_64", "darwin-x86-64", "osx-x86_64", "darwin-aarch64", "osx-aarch_64", "win32-x86-64", "windows-x86_64"));
        FAMILIES.put(Pattern.compile("org/jline/nativ/([^/]+/[^/]+)/[^/]+"), Map.of("Linux/x86_64", "linux-x86_64", "Linux/arm64", "linux-aarch_64", "Mac/x86_64", "osx-x86_64", "Mac/arm64", "osx-aarch_64", "Windows/x86_64", "windows-x86_64"));
    }

    static final Pattern NATIVE = Pattern.compile(".*\\.(so|dylib|dll|jnilib)$");

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java src/build/PlatformJars.java ALL_PLATFORM_JAR OUTPUT_DIR [--split JAR ENTRY]...");
            System.exit(64);
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        Map<String, String> split = new java.util.HashMap<>();
        for (int i = 2; i + 2 < args.length; i += 3) {
            if (!args[i].equals("--split")) throw new IllegalArgumentException("unknown option " + args[i]);
            split.put(args[i + 2], args[i + 1]);
        }
        Map<String, JarOutputStream> jars = new TreeMap<>();
        Map<String, long[]> sizes = new TreeMap<>();
        try (JarFile in = new JarFile(args[0])) {
            JarOutputStream core = new JarOutputStream(Files.newOutputStream(out.resolve("srouter.jar")));
            jars.put("universal", core);
            for (String p : PLATFORMS) {
                jars.put(p, new JarOutputStream(Files.newOutputStream(out.resolve("natives-" + p + ".jar"))));
            }
            for (String jarName : new java.util.TreeSet<>(split.values())) {
                jars.put(jarName, new JarOutputStream(Files.newOutputStream(out.resolve(jarName))));
            }
            for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                String target = split.getOrDefault(name, "universal");
                if (NATIVE.matcher(name).matches()) {
                    target = platformOf(name);
                    if (target == null) {
                        throw new IllegalStateException("a native library of no known family: " + name
                                + " (add its family to src/build/PlatformJars.java)");
                    }
                }
                if (target.isEmpty()) {
                    continue; // a platform no archive is built for
                }
                JarOutputStream jar = jars.get(target);
                jar.putNextEntry(new JarEntry(name));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(jar);
                }
                jar.closeEntry();
                sizes.computeIfAbsent(target, k -> new long[2])[0]++;
                sizes.get(target)[1] += entry.getSize();
            }
        } finally {
            for (OutputStream o : jars.values()) {
                o.close();
            }
        }
        sizes.forEach((target, s) -> System.out.printf("%-15s %6d entries %8.1f MB uncompressed%n", target, s[0], s[1] / 1e6));
    }

    /** The platform a native library is for, "" for a platform without an archive, null for an unknown family. */
    static String platformOf(String name) {
        for (Map.Entry<Pattern, Map<String, String>> family : FAMILIES.entrySet()) {
            Matcher m = family.getKey().matcher(name);
            if (m.matches()) {
                return family.getValue().getOrDefault(m.group(1), "");
            }
        }
        return null;
    }
}
