package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import dev.srouter.core.RouteSet;
import dev.srouter.core.RoutesFile;
import dev.srouter.fit.FittedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code srouter fit} in-process with the real local encoder, on three routes of five utterances
 * and a validation set of paraphrases and out-of-scope texts; then route and eval with the fit.
 */
class FitCommandTest {
    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTES = String.join("\n",
            "# routes for the fit test: comments must survive fit",
            "routes:",
            "  - name: weather   # the sky",
            "    utterances:",
            "      - what's the weather like today",
            "      - will it rain tomorrow",
            "      - is it going to be sunny this weekend",
            "      - how cold is it outside",
            "      - do I need an umbrella",
            "  - name: billing",
            "    utterances:",
            "      - how do I pay my invoice",
            "      - update my credit card",
            "      - why was I charged twice",
            "      - send me a copy of my bill",
            "      - when is my payment due",
            "  - name: greetings",
            "    utterances:",
            "      - hello there",
            "      - good morning",
            "      - hi, how are you",
            "      - hey, nice to meet you",
            "      - good evening to you",
            "");
    private Path routes;
    private Path validation;

    @BeforeEach
    void files() throws IOException {
        routes = dir.resolve("routes.yaml");
        Files.writeString(routes, ROUTES);
        validation = dir.resolve("validation.tsv");
        Files.writeString(validation, String.join("\n",
                "will it snow later\tweather", "what is the forecast for tomorrow\tweather", "is it hot outside\tweather",
                "I want to pay my bill\tbilling", "my card was charged two times\tbilling", "where can I see my invoice\tbilling",
                "hi there\tgreetings", "good afternoon\tgreetings", "hello, how is it going\tgreetings",
                "the mitochondria is the powerhouse of the cell\t-", "a recipe for banana bread\t-", "who won the football match\t-", ""));
    }

    private static Result run(String... args) {
        return new CliRunner(cache).run(args);
    }

    private Result fit(String... rest) {
        List<String> all = new ArrayList<>(List.of("fit", "--routes=" + routes, "--data", validation.toString()));
        all.addAll(List.of(rest));
        return run(all.toArray(String[]::new));
    }

    @Test
    void writesTheFitFileAndTheThresholdsKeepingComments() throws IOException {
        Result r = fit();

        assertEquals(0, r.exit(), r.toString());
        Path fitFile = dir.resolve("routes.fit.json");
        FittedModel model = FittedModel.read(fitFile).orElseThrow();
        RouteSet after = RoutesFile.read(routes);
        assertEquals(List.of("weather", "billing", "greetings"), model.routes());
        assertEquals(FittedModel.routesHash(after), model.routesHash());
        assertEquals("local:all-MiniLM-L6-v2-q", model.encoder());
        assertEquals(1, model.data().size());
        assertEquals(12, model.data().get(0).examples());
        assertEquals(3, model.data().get(0).none());
        assertEquals(384, model.dimension());
        assertTrue(model.minConfidence() > 0 && model.minConfidence() < 1, "min confidence " + model.minConfidence());
        // Every route has the fitted kNN threshold, and the comments are still there.
        String text = Files.readString(routes);
        assertTrue(text.contains("# routes for the fit test: comments must survive fit") && text.contains("# the sky"), text);
        after.routes().forEach(route -> assertTrue(route.scoreThreshold() != null, route.name()));
        assertTrue(r.out().contains("wrote " + fitFile), r.out());
    }

    @Test
    void theSameInputsGiveTheSameFiles() throws IOException {
        assertEquals(0, fit("--no-thresholds").exit());
        byte[] first = Files.readAllBytes(dir.resolve("routes.fit.json"));
        assertEquals(0, fit("--no-thresholds").exit());
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(dir.resolve("routes.fit.json"))), "fit is reproducible");
        assertEquals(ROUTES, Files.readString(routes), "--no-thresholds leaves the routes file alone");
    }

    @Test
    void routeAndEvalUseTheFitAndSaySo() throws IOException {
        assertEquals(0, fit().exit());

        Result routed = run("route", "--routes=" + routes, "-o", "json", "do I need an umbrella", "quantum field theory lecture");
        assertEquals(0, routed.exit(), routed.toString());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : routed.out().lines().toList()) {
            lines.add(JSON.readTree(l));
        }
        assertEquals("weather", lines.get(0).get("route").asText());
        assertEquals("fitted", lines.get(0).get("decision").asText());
        double confidence = lines.get(0).get("confidence").asDouble();
        assertTrue(confidence >= lines.get(0).get("threshold").asDouble() && confidence <= 1, lines.get(0).toString());
        assertTrue(lines.get(1).get("route").isNull(), "an unrelated text gets no route: " + lines.get(1));

        Result explained = run("route", "--routes=" + routes, "--explain", "do I need an umbrella");
        assertTrue(explained.out().contains("decision: fitted"), explained.out());
        Result knn = run("route", "--routes=" + routes, "--no-fit", "-o", "json", "do I need an umbrella");
        assertEquals("knn", JSON.readTree(knn.out()).get("decision").asText(), knn.out());

        // The utterances themselves: the head learned them, so eval's accuracy on them is exact.
        Path labelled = dir.resolve("utterances.tsv");
        Files.writeString(labelled, "hello there\tgreetings\nwhy was I charged twice\tbilling\nhow cold is it outside\tweather\n");
        Result eval = run("eval", "--routes=" + routes, "--data", labelled.toString(), "-o", "json");
        assertEquals(0, eval.exit(), eval.toString());
        JsonNode report = JSON.readTree(eval.out());
        assertEquals(1.0, report.get("accuracy").asDouble());
        assertEquals("fitted", report.get("decision").asText());
        assertFalse(report.get("ece").isNull(), "the fitted decision has a confidence, so eval reports its calibration: " + report);
    }

    @Test
    void aFitOfOtherRoutesIsRefusedUntilFitRunsAgain() throws IOException {
        assertEquals(0, fit().exit());
        Files.writeString(routes, Files.readString(routes).replace("do I need an umbrella", "do I need a raincoat"));

        Result r = run("route", "--routes=" + routes, "will it rain");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("was fitted on other routes") && r.err().contains("rerun srouter fit"), r.err());
        assertEquals(0, run("route", "--routes=" + routes, "--no-fit", "will it rain").exit(), "--no-fit still routes");
        // A threshold edit changes no utterance: the fit still applies.
        assertEquals(0, fit().exit());
        Files.writeString(routes, Files.readString(routes).replaceFirst("score_threshold: [0-9.]+", "score_threshold: 0.5"));
        assertEquals(0, run("route", "--routes=" + routes, "will it rain").exit());
    }

    @Test
    void thresholdBesideAFitIsAUsageError() {
        assertEquals(0, fit().exit());

        Result r = run("route", "--routes=" + routes, "--threshold", "0.5", "will it rain");

        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.err().contains("--no-fit"), r.err());
    }

    @Test
    void thresholdsGlobalWritesOneThresholdAndPerRouteWritesEachRoutesOwn() throws IOException {
        Result global = fit("--thresholds", "global", "-o", "json");
        assertEquals(0, global.exit(), global.toString());
        double threshold = JSON.readTree(global.out()).get("knn_threshold").asDouble();
        RoutesFile.read(routes).routes().forEach(r -> assertEquals(threshold, r.scoreThreshold(), 1e-9, r.name()));
        assertFalse(JSON.readTree(global.out()).get("knn_per_route").asBoolean());

        Result perRoute = fit("--thresholds", "per-route", "-o", "json");
        assertEquals(0, perRoute.exit(), perRoute.toString());
        assertTrue(JSON.readTree(perRoute.out()).get("knn_per_route").asBoolean(), perRoute.out());

        Result bad = fit("--thresholds", "some");
        assertEquals(64, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("auto, global or per-route"), bad.err());
    }

    @Test
    void dryRunWritesNothing() throws IOException {
        Result r = fit("--dry-run", "-o", "json");

        assertEquals(0, r.exit(), r.toString());
        JsonNode report = JSON.readTree(r.out());
        assertFalse(report.get("written").asBoolean());
        assertEquals(12, report.get("queries").asInt());
        assertFalse(Files.exists(dir.resolve("routes.fit.json")));
        assertEquals(ROUTES, Files.readString(routes));
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten() throws IOException {
        Files.writeString(validation, "hello\tno-such-route\n");
        Result unknown = fit();
        assertEquals(65, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("no-such-route"), unknown.err());

        Files.writeString(validation, "hello\t-\n");
        Result onlyNone = fit();
        assertEquals(64, onlyNone.exit(), onlyNone.toString());

        Result remote = run("fit", "--routes=" + routes, "--data", validation.toString(), "--index", "qdrant");
        assertEquals(64, remote.exit(), remote.toString());
        assertFalse(Files.exists(dir.resolve("routes.fit.json")));
        assertEquals(ROUTES, Files.readString(routes));
    }

    /** Harder out-of-scope queries (one about the weather on Mars, one about a bill of rights), so accuracy and recall trade. */
    private void hardValidation() throws IOException {
        Files.writeString(validation, String.join("\n",
                "will it snow later\tweather", "what is the forecast for tomorrow\tweather", "is it hot outside\tweather",
                "should I bring a jacket\tweather", "I want to pay my bill\tbilling", "my card was charged two times\tbilling",
                "where can I see my invoice\tbilling", "can I pay with paypal\tbilling", "hi there\tgreetings", "good afternoon\tgreetings",
                "hello, how is it going\tgreetings", "yo what's up\tgreetings", "the mitochondria is the powerhouse of the cell\t-",
                "a recipe for banana bread\t-", "who won the football match\t-", "what is the weather like on mars\t-",
                "how much does a bill of rights cost\t-", "say hello to my little friend\t-", ""));
    }

    @Test
    void minOosRecallChoosesTheMostInScopeAccuracyThatKeepsThatRecall() throws IOException {
        hardValidation();
        JsonNode balanced = JSON.readTree(fit("--dry-run", "-o", "json").out());
        JsonNode none = JSON.readTree(fit("--dry-run", "-o", "json", "--min-oos-recall", "0").out());
        JsonNode all = JSON.readTree(fit("--dry-run", "-o", "json", "--min-oos-recall", "1").out());
        JsonNode most = JSON.readTree(fit("--dry-run", "-o", "json", "--min-oos-recall", "0.8").out());

        assertTrue(balanced.get("min_oos_recall").isNull(), balanced.toString());
        // The data trade: the balanced choice gives up in-scope answers for out-of-scope recall.
        assertTrue(balanced.get("fitted_accuracy").asDouble() < 1, balanced.toString());
        // Recall 0 allowed: every in-scope query answered right (the head separates these routes), then the most recall.
        assertEquals(0.0, none.get("min_oos_recall").asDouble());
        assertEquals(1.0, none.get("fitted_accuracy").asDouble(), 1e-9, none.toString());
        assertTrue(none.get("fitted_oos_recall").asDouble() < 1, none.toString());
        assertEquals(1.0, none.get("knn_accuracy").asDouble(), 1e-9, none.toString());
        // Recall 1: every out-of-scope query rejected, by both decisions.
        assertEquals(1.0, all.get("fitted_oos_recall").asDouble(), 1e-9, all.toString());
        assertEquals(1.0, all.get("knn_oos_recall").asDouble(), 1e-9, all.toString());
        // In between: at least 5 of the 6 rejected, and more answers than the balanced choice gave.
        assertTrue(most.get("fitted_oos_recall").asDouble() >= 0.8, most.toString());
        assertTrue(most.get("fitted_accuracy").asDouble() > balanced.get("fitted_accuracy").asDouble(), most + " against " + balanced);
        assertTrue(most.get("knn_oos_recall").asDouble() >= 0.8 && !most.get("knn_per_route").asBoolean(), most.toString());

        Result text = fit("--dry-run", "--min-oos-recall", "0.8");
        assertTrue(text.out().contains("thresholds chosen for the most in-scope accuracy at out-of-scope recall >= 0.8000"), text.out());
    }

    @Test
    void minOosRecallIsRefusedOutOfRangeWithPerRouteThresholdsOrWithoutOutOfScopeQueries() throws IOException {
        Result range = fit("--min-oos-recall", "1.5");
        assertEquals(64, range.exit(), range.toString());
        assertTrue(range.err().contains("between 0 and 1"), range.err());

        Result perRoute = fit("--min-oos-recall", "0.9", "--thresholds", "per-route");
        assertEquals(64, perRoute.exit(), perRoute.toString());
        assertTrue(perRoute.err().contains("one global kNN threshold"), perRoute.err());

        Files.writeString(validation, "will it snow later\tweather\nhi there\tgreetings\n");
        Result noneLabelled = fit("--min-oos-recall", "0.9");
        assertEquals(64, noneLabelled.exit(), noneLabelled.toString());
        assertTrue(noneLabelled.err().contains("needs validation queries labelled none"), noneLabelled.err());
        assertFalse(Files.exists(dir.resolve("routes.fit.json")));
        assertEquals(ROUTES, Files.readString(routes));
    }

    @Test
    void withoutQueriesLabelledNoneTheHeadPicksTheRouteAndNoThresholdIsFitted() throws IOException {
        Files.writeString(validation, String.join("\n", "will it snow later\tweather", "what is the forecast for tomorrow\tweather",
                "I want to pay my bill\tbilling", "my card was charged two times\tbilling", "hi there\tgreetings", "good afternoon\tgreetings", ""));

        Result r = fit();

        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("no threshold can be fitted: both decisions keep 0.60 on the best similarity"), r.err());
        assertTrue(r.out().contains("thresholds not fitted (no query labelled none): kept at 0.60"), r.out());
        assertEquals(ROUTES, Files.readString(routes), "the routes file is left as it is");
        JsonNode model = JSON.readTree(Files.readString(dir.resolve("routes.fit.json")));
        assertEquals(0.0, model.get("alpha").asDouble(), model.toString());
        assertEquals(0.6, model.get("score_threshold").asDouble(), 1e-12, model.toString());
        // The fitted decision still answers no route where the kNN one would: best similarity below 0.60.
        Result unrelated = run("route", "--routes=" + routes, "-o", "json", "the mitochondria is the powerhouse of the cell");
        JsonNode decision = JSON.readTree(unrelated.out());
        assertEquals("fitted", decision.get("decision").asText(), decision.toString());
        assertTrue(decision.get("route").isNull(), decision.toString());
        Result weather = run("route", "--routes=" + routes, "-o", "json", "is it going to rain");
        assertEquals("weather", JSON.readTree(weather.out()).get("route").asText(), weather.toString());

        JsonNode report = JSON.readTree(fit("--dry-run", "-o", "json").out());
        assertFalse(report.get("thresholds_fitted").asBoolean(), report.toString());
        assertEquals(0.6, report.get("knn_threshold").asDouble(), 1e-12, report.toString());
        Result perRoute = fit("--thresholds", "per-route");
        assertEquals(64, perRoute.exit(), perRoute.toString());
        assertTrue(perRoute.err().contains("--thresholds per-route needs validation queries labelled none"), perRoute.err());
    }
}
