package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@link LocalOnnxEncoder} needs to know about a model: where its ONNX graph and tokenizer are, how its token
 * vectors become one sentence vector, how long an input may be, and the prefixes queries and documents get.
 * The bundled models are described in code; a user's model ({@code --encoder onnx:DIR}) is read from the files an
 * ONNX export of a sentence-transformers model carries ({@link #fromDirectory}).
 *
 * @param type the routes file's {@code encoder_type}: {@code local} or {@code onnx}
 * @param model the routes file's {@code encoder_name}: the bundled id, or the directory as given
 * @param cacheIdentity what, besides {@code type:model}, tells two versions of the model apart in the embedding cache
 * @param dimension the vector length, or -1 until the model is loaded
 */
public record OnnxModelSpec(String type, String model, String cacheIdentity, Source graph, Source tokenizer, Pooling pooling,
        int maxTokens, String queryPrefix, String documentPrefix, int dimension, double defaultThreshold) {

    /** How the token vectors of the last hidden state become the sentence vector. */
    public enum Pooling {
        /** The attention-masked mean of the token vectors (sentence-transformers' {@code pooling_mode_mean_tokens}). */
        MEAN,
        /** The first token's vector ({@code pooling_mode_cls_token}), as BGE models use. */
        CLS;

        static Pooling parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "mean" -> MEAN;
                case "cls" -> CLS;
                default -> throw SrouterException.usage("unknown pooling '" + text + "': use mean or cls");
            };
        }
    }

    /** A model file: a resource on the classpath (the bundled models) or a file on disk. */
    public record Source(String resource, Path file) {
        static Source resource(String name) {
            return new Source(name, null);
        }

        static Source file(Path path) {
            return new Source(null, path);
        }

        InputStream open() throws IOException {
            if (file != null) {
                return Files.newInputStream(file);
            }
            InputStream in = OnnxModelSpec.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("model resource " + resource + " is not on the classpath: this installation leaves the "
                        + "model out; put its jar (srouter-model-*.jar of the release) beside the others (docs/install.md)");
            }
            return in;
        }

        @Override
        public String toString() {
            return file != null ? file.toString() : resource;
        }
    }

    /** The default score threshold of a user's model: semantic-router's for its local Hugging Face encoder. */
    public static final double DIRECTORY_DEFAULT_THRESHOLD = 0.5;
    /** The input length when neither an option nor the export's files give one: BERT's. */
    static final int FALLBACK_MAX_TOKENS = 512;

    /**
     * What the user says on the command line about a model whose export does not say it (or to override it); null
     * where they said nothing.
     */
    public record Overrides(String pooling, Integer maxTokens, String queryPrefix, String documentPrefix) {
        public static final Overrides NONE = new Overrides(null, null, null, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The text {@code input} gets before it is tokenized. */
    String prefix(Encoder.Input input) {
        return input == Encoder.Input.QUERY ? queryPrefix : documentPrefix;
    }

    /** Whether queries and documents get different prefixes, so the same text gets two vectors. */
    boolean asymmetric() {
        return !queryPrefix.equals(documentPrefix);
    }

    /**
     * Reads the model an export left in {@code where}: a directory with {@code model.onnx} (or {@code onnx/model.onnx},
     * or its one {@code .onnx} file) and {@code tokenizer.json}, or the {@code .onnx} file itself with the tokenizer
     * beside it. Pooling comes from sentence-transformers' {@code modules.json} and its pooling module's
     * {@code config.json}; the input length from {@code sentence_bert_config.json} ({@code max_seq_length}), else
     * {@code tokenizer_config.json} ({@code model_max_length}), else {@code config.json}
     * ({@code max_position_embeddings}); the prefixes from {@code config_sentence_transformers.json}'s
     * {@code prompts} ({@code query}, and {@code document} or {@code passage}); the dimension from {@code config.json}
     * ({@code hidden_size}). An option given in {@code overrides} wins over the files.
     *
     * @param given the path as the user wrote it, recorded as the model's name
     */
    public static OnnxModelSpec fromDirectory(String given, Overrides overrides) {
        Path path = Path.of(given.strip());
        if (!Files.exists(path)) {
            throw SrouterException.usage("onnx:" + given + ": no such file or directory; give the directory of an ONNX export "
                    + "(model.onnx and tokenizer.json), e.g. one made by optimum-cli export onnx --model NAME DIR");
        }
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path graph = Files.isDirectory(path) ? findGraph(dir, given) : path;
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer) && graph.getParent() != null) {
            tokenizer = graph.getParent().resolve("tokenizer.json");
        }
        if (!Files.isRegularFile(tokenizer)) {
            throw SrouterException.usage("onnx:" + given + ": no tokenizer.json in " + dir + "; an ONNX export writes it beside "
                    + "model.onnx (optimum-cli export onnx does), or copy it from the model's Hugging Face repository");
        }
        JsonNode modules = readJson(dir.resolve("modules.json"), given);
        JsonNode poolingConfig = null;
        if (modules != null && modules.isArray()) {
            for (JsonNode m : modules) {
                if (m.path("type").asText().endsWith(".Pooling")) {
                    poolingConfig = readJson(dir.resolve(m.path("path").asText()).resolve("config.json"), given);
                }
            }
        }
        if (poolingConfig == null) {
            poolingConfig = readJson(dir.resolve("1_Pooling").resolve("config.json"), given);
        }
        Pooling pooling = overrides.pooling() != null ? Pooling.parse(overrides.pooling()) : pooling(poolingConfig, given).orElse(Pooling.MEAN);

        JsonNode bert = readJson(dir.resolve("sentence_bert_config.json"), given);
        JsonNode tokenizerConfig = readJson(dir.resolve("tokenizer_config.json"), given);
        JsonNode config = readJson(dir.resolve("config.json"), given);
        int maxTokens = overrides.maxTokens() != null ? overrides.maxTokens()
                : positive(bert, "max_seq_length").or(() -> positive(tokenizerConfig, "model_max_length"))
                        .or(() -> positive(config, "max_position_embeddings")).orElse(FALLBACK_MAX_TOKENS);
        if (maxTokens < 2) {
            throw SrouterException.usage("--onnx-max-length must be at least 2 tokens, not " + maxTokens);
        }
        JsonNode prompts = Optional.ofNullable(readJson(dir.resolve("config_sentence_transformers.json"), given))
                .map(c -> c.get("prompts")).orElse(null);
        String query = overrides.queryPrefix() != null ? overrides.queryPrefix() : text(prompts, "query").orElse("");
        String document = overrides.documentPrefix() != null ? overrides.documentPrefix()
                : text(prompts, "document").or(() -> text(prompts, "passage")).orElse("");
        int dimension = positive(config, "hidden_size").orElse(-1);
        String identity;
        try {
            Path real = graph.toRealPath();
            identity = real + "#" + Files.size(real) + "-" + Files.getLastModifiedTime(real).toMillis() + "-" + pooling + "-" + maxTokens
                    + "-" + Integer.toHexString(query.hashCode()) + "-" + Integer.toHexString(document.hashCode());
        } catch (IOException e) {
            throw SrouterException.usage("onnx:" + given + ": cannot read " + graph + " (" + e.getMessage() + ")");
        }
        return new OnnxModelSpec("onnx", given.strip(), identity, Source.file(graph), Source.file(tokenizer), pooling, maxTokens, query,
                document, dimension, DIRECTORY_DEFAULT_THRESHOLD);
    }

    private static Path findGraph(Path dir, String given) {
        for (Path p : List.of(dir.resolve("model.onnx"), dir.resolve("onnx").resolve("model.onnx"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.onnx")) {
            s.forEach(found::add);
        } catch (IOException e) {
            throw SrouterException.usage("onnx:" + given + ": cannot list " + dir + " (" + e.getMessage() + ")");
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        throw SrouterException.usage("onnx:" + given + ": " + (found.isEmpty() ? "no model.onnx in " + dir
                : found.size() + " .onnx files in " + dir + " and none is model.onnx; give the one to use: onnx:" + found.get(0)));
    }

    /** The pooling a sentence-transformers pooling config asks for; one srouter cannot do is refused by name. */
    private static Optional<Pooling> pooling(JsonNode c, String given) {
        if (c == null) {
            return Optional.empty();
        }
        if (c.path("pooling_mode_cls_token").asBoolean(false)) {
            return Optional.of(Pooling.CLS);
        }
        if (c.path("pooling_mode_mean_tokens").asBoolean(false)) {
            return Optional.of(Pooling.MEAN);
        }
        for (String other : List.of("pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
                "pooling_mode_lasttoken")) {
            if (c.path(other).asBoolean(false)) {
                throw SrouterException.usage("onnx:" + given + ": its pooling config asks for " + other.substring("pooling_mode_".length())
                        + " pooling, which srouter does not do (mean and cls); --onnx-pooling overrides it, at the cost of vectors "
                        + "that differ from the model's own");
            }
        }
        return Optional.empty();
    }

    private static JsonNode readJson(Path file, String given) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw SrouterException.usage("onnx:" + given + ": " + file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
    }

    private static Optional<Integer> positive(JsonNode node, String field) {
        if (node == null || !node.path(field).canConvertToInt()) {
            return Optional.empty();
        }
        int v = node.get(field).intValue();
        // tokenizer_config.json says 1000000000000000019884624838656 when a model sets no limit.
        return v > 0 && v <= 1 << 16 ? Optional.of(v) : Optional.empty();
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node != null && node.path(field).isTextual() ? Optional.of(node.get(field).asText()) : Optional.empty();
    }
}
