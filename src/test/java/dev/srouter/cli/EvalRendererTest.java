package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.EvalReport;
import dev.srouter.core.EvalReport.Outcome;
import dev.srouter.core.LabelledData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The report's rendering for what no CLI run can give yet: decisions with a calibrated confidence (a fitted
 * decision), a mix of decisions, more confused pairs than are listed.
 */
class EvalRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Outcome o(String expected, String got, double confidence) {
        return new Outcome(expected, got, OptionalDouble.of(confidence));
    }

    private static final EvalReport CALIBRATED = EvalReport.of(List.of(o("a", "a", 0.95), o("a", "b", 0.85), o("b", "b", 0.82),
            o(null, null, 0.4)), List.of("a", "b"));

    private static EvalRenderer.Run run(Map<String, Integer> decidedBy, List<EvalCommand.Gate> gates) {
        return new EvalRenderer.Run(List.of(new EvalRenderer.Source("q.jsonl", LabelledData.Format.jsonl, 4)), decidedBy, 0.6, 5, "mean",
                gates, null);
    }

    @Test
    void aFittedDecisionsConfidenceGivesTheCalibrationErrorAndItsBins() throws Exception {
        JsonNode d = JSON.readTree(EvalRenderer.json(CALIBRATED, run(Map.of("fitted", 4), List.of()), 10));
        assertEquals("fitted", d.get("decision").asText());
        assertEquals(3, d.get("calibrated").asInt(), "the query that got no route is left out");
        // Bins: [0.8,0.9) {0.85 wrong, 0.82 right}: confidence 0.835, accuracy 0.5; [0.9,1] {0.95 right}.
        double ece = (2 * Math.abs(0.835 - 0.5) + Math.abs(0.95 - 1)) / 3;
        assertEquals(ece, d.get("ece").asDouble(), 1e-6);
        assertEquals(2, d.get("calibration_bins").size());
        assertEquals(0.8, d.at("/calibration_bins/0/from").asDouble(), 1e-9);
        assertEquals(0.9, d.at("/calibration_bins/0/to").asDouble(), 1e-9);
        assertEquals(2, d.at("/calibration_bins/0/count").asInt());
        assertEquals(0.835, d.at("/calibration_bins/0/confidence").asDouble(), 1e-6);
        assertEquals(0.5, d.at("/calibration_bins/0/accuracy").asDouble(), 1e-9);

        StringWriter text = new StringWriter();
        EvalRenderer.text(new PrintWriter(text), CALIBRATED, run(Map.of("fitted", 4), List.of()), 10, 100);
        assertTrue(text.toString().lines().anyMatch(l -> l.matches(
                "calibration error \\(ECE\\) +" + EvalRenderer.figure(ece).replace(".", "\\.") + " +over 3 decisions with a route and a confidence, 10 bins")),
                text.toString());
    }

    @Test
    void decisionsOfBothKindsAreMixedAndCounted() throws Exception {
        JsonNode d = JSON.readTree(EvalRenderer.json(CALIBRATED, run(new java.util.TreeMap<>(Map.of("fitted", 3, "knn", 1)), List.of()), 10));
        assertEquals("mixed", d.get("decision").asText());
        assertEquals("fitted", d.at("/decided_by/0/decision").asText());
        assertEquals(3, d.at("/decided_by/0/queries").asInt());
        assertEquals("knn", d.at("/decided_by/1/decision").asText());
    }

    @Test
    void onlyTheTopConfusedPairsAreListed() throws Exception {
        List<Outcome> many = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            for (int n = 0; n <= i; n++) {
                many.add(new Outcome("r" + i, null)); // r11 -> none 12 times, ..., r0 -> none once
            }
        }
        EvalReport r = EvalReport.of(many);
        JsonNode d = JSON.readTree(EvalRenderer.json(r, run(Map.of("knn", many.size()), List.of()), 10));
        assertEquals(10, d.get("confused").size());
        assertEquals("r11", d.at("/confused/0/expected").asText());
        assertEquals(12, d.at("/confused/0/count").asInt());
        assertEquals("r2", d.at("/confused/9/expected").asText());
        StringWriter text = new StringWriter();
        EvalRenderer.text(new PrintWriter(text), r, run(Map.of("knn", many.size()), List.of()), 10, 100);
        assertTrue(text.toString().endsWith("(2 more pairs)\n"), text.toString());
    }
}
