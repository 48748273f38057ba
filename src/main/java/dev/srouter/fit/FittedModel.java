package dev.srouter.fit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;

/**
 * The decision {@code srouter fit} learned, as stored in {@code ROUTES.fit.json} beside the routes
 * file: a softmax head over the encoder's embeddings (one row per route, and one for "none" when the
 * validation data had queries labelled none), the mix of the head's
 * probability with the best similarity that makes the rejection score, its threshold, and the
 * Platt map from that score to a calibrated confidence. It records what it was fitted on: the
 * encoder, a hash of the routes' names and utterances (what the head depends on; thresholds and
 * descriptions may change without a refit), and the validation data.
 *
 * @param alpha the rejection score is {@code alpha * probability + (1 - alpha) * similarity}
 * @param scoreThreshold a route passes when its rejection score reaches this
 * @param data each validation file: name, sha256, examples, of them labelled none
 * @param validation figures on the validation data when the threshold was chosen
 */
public record FittedModel(String encoder, String routesHash, List<String> routes, int dimension, float[] weights, double alpha,
        double scoreThreshold, double plattA, double plattB, List<DataFile> data, Validation validation) {
    public static final int FORMAT = 1;

    public record DataFile(String file, String sha256, int examples, int none) {}

    /** In-scope accuracy and out-of-scope recall of the fitted decision on the data it was tuned on. */
    public record Validation(int inScope, int outOfScope, double inScopeAccuracy, double outOfScopeRecall) {}

    /** {@code routes.yaml} -> {@code routes.fit.json}, in the same directory. */
    public static Path pathFor(Path routesFile) {
        String name = routesFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return routesFile.resolveSibling(stem + ".fit.json");
    }

    /** What the head depends on: the route names and their utterances, order-insensitive. */
    public static String routesHash(RouteSet routes) {
        StringBuilder sb = new StringBuilder();
        TreeSet<String> lines = new TreeSet<>();
        for (Route r : routes.routes()) {
            for (String u : r.utterances()) {
                lines.add(r.name().length() + ":" + r.name() + "=" + u.length() + ":" + u);
            }
            lines.add(r.name().length() + ":" + r.name());
        }
        lines.forEach(l -> sb.append(l).append('\n'));
        return dev.srouter.core.ContentHash.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the head has a row after the routes' for "none", learned from validation queries labelled none. */
    public boolean hasNoneClass() {
        return weights.length / (dimension + 1) == routes.size() + 1;
    }

    public double confidence(double score) {
        return 1 / (1 + Math.exp(-(plattA * score + plattB)));
    }

    /** The least confidence a passing route has: that of {@link #scoreThreshold}. */
    public double minConfidence() {
        return confidence(scoreThreshold);
    }

    public String toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("decision", "softmax head over embeddings; score = alpha * probability + (1 - alpha) * best similarity");
        root.put("encoder", encoder);
        root.put("routes_hash", routesHash);
        root.put("dimension", dimension);
        root.put("none_class", hasNoneClass());
        ArrayNode r = root.putArray("routes");
        routes.forEach(r::add);
        root.put("alpha", alpha);
        root.put("score_threshold", scoreThreshold);
        root.putObject("calibration").put("method", "platt").put("a", plattA).put("b", plattB);
        ArrayNode files = root.putArray("data");
        for (DataFile f : data) {
            files.addObject().put("file", f.file()).put("sha256", f.sha256()).put("examples", f.examples()).put("none", f.none());
        }
        root.putObject("validation").put("in_scope", validation.inScope()).put("out_of_scope", validation.outOfScope())
                .put("in_scope_accuracy", validation.inScopeAccuracy()).put("out_of_scope_recall", validation.outOfScopeRecall());
        ByteBuffer buf = ByteBuffer.allocate(weights.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float w : weights) {
            buf.putFloat(w);
        }
        root.put("weights_f32le_base64", Base64.getEncoder().encodeToString(buf.array()));
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a fit file; empty when there is none. */
    public static java.util.Optional<FittedModel> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new SrouterException(ExitCode.FAILURE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            JsonNode root = new ObjectMapper().readTree(text);
            if (root.path("format").asInt() != FORMAT) {
                throw invalid(file, "format " + root.path("format") + ", this srouter reads format " + FORMAT);
            }
            List<String> routes = new ArrayList<>();
            root.path("routes").forEach(n -> routes.add(n.asText()));
            int dimension = root.path("dimension").asInt();
            byte[] raw = Base64.getDecoder().decode(root.path("weights_f32le_base64").asText());
            ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            float[] weights = new float[raw.length / 4];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = buf.getFloat();
            }
            int rows = dimension < 1 ? -1 : weights.length / (dimension + 1);
            if (routes.isEmpty() || dimension < 1 || weights.length % (dimension + 1) != 0 || (rows != routes.size() && rows != routes.size() + 1)) {
                throw invalid(file, "its weights do not match its " + routes.size() + " routes of dimension " + dimension);
            }
            List<DataFile> data = new ArrayList<>();
            root.path("data").forEach(n -> data.add(new DataFile(n.path("file").asText(), n.path("sha256").asText(),
                    n.path("examples").asInt(), n.path("none").asInt())));
            JsonNode v = root.path("validation");
            JsonNode c = root.path("calibration");
            return java.util.Optional.of(new FittedModel(root.path("encoder").asText(), root.path("routes_hash").asText(), routes, dimension,
                    weights, root.path("alpha").asDouble(), root.path("score_threshold").asDouble(), c.path("a").asDouble(),
                    c.path("b").asDouble(), data, new Validation(v.path("in_scope").asInt(), v.path("out_of_scope").asInt(),
                            v.path("in_scope_accuracy").asDouble(), v.path("out_of_scope_recall").asDouble())));
        } catch (IOException | IllegalArgumentException e) {
            throw invalid(file, e.getMessage());
        }
    }

    private static SrouterException invalid(Path file, String why) {
        return new SrouterException(ExitCode.FAILURE, file + " is not a valid fit file (" + why + "); rerun srouter fit, or delete it");
    }
}
