package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FittedModelTest {
    @TempDir
    Path dir;

    private static FittedModel model(List<String> routes, float[] weights) {
        return new FittedModel("local:all-MiniLM-L6-v2-q", "hash", routes, 3, weights, 0.3, 0.55, 1.5, 0.25,
                List.of(new FittedModel.DataFile("val.jsonl", "abc", 10, 2)), new FittedModel.Validation(8, 2, 0.875, 1.0));
    }

    @Test
    void aWrittenFitReadsBackToTheSameModel() throws IOException {
        FittedModel m = model(List.of("a", "b"), new float[] {1, 2, 3, 0.5f, -1, -2, -3, -0.5f});
        Path file = dir.resolve("routes.fit.json");
        Files.writeString(file, m.toJson());

        FittedModel back = FittedModel.read(file).orElseThrow();

        assertArrayEquals(m.weights(), back.weights());
        assertEquals(m.routes(), back.routes());
        assertEquals(m.alpha(), back.alpha());
        assertEquals(m.scoreThreshold(), back.scoreThreshold());
        assertEquals(m.minConfidence(), back.minConfidence());
        assertEquals(m.data(), back.data());
        assertEquals(m.validation(), back.validation());
        assertEquals(m.toJson(), back.toJson());
        assertEquals(FittedModel.read(dir.resolve("none.fit.json")), java.util.Optional.empty(), "no fit file: no fitted decision");
    }

    @Test
    void anotherFormatOrWeightsThatDoNotFitTheRoutesAreRefusedWithWhatToDo() throws IOException {
        Path file = dir.resolve("routes.fit.json");
        Files.writeString(file, model(List.of("a", "b"), new float[8]).toJson().replace("\"format\" : 1", "\"format\" : 2"));
        SrouterException other = assertThrows(SrouterException.class, () -> FittedModel.read(file));
        assertTrue(other.getMessage().contains("format 2, this srouter reads format 1") && other.getMessage().contains("rerun srouter fit"),
                other.getMessage());

        Files.writeString(file, model(List.of("a", "b", "c", "d"), new float[8]).toJson());
        SrouterException rows = assertThrows(SrouterException.class, () -> FittedModel.read(file));
        assertTrue(rows.getMessage().contains("do not match its 4 routes of dimension 3"), rows.getMessage());
    }
}
