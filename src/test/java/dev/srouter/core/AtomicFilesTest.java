package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles#create}: a new file appears whole, an existing name is never replaced, nothing is left behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createWritesANewFile() throws IOException {
        Path file = dir.resolve("new.yaml");

        assertTrue(AtomicFiles.create(file, "routes: []\n"));

        assertEquals("routes: []\n", Files.readString(file));
        assertEquals(List.of("new.yaml"), names(), "the temporary file is gone");
    }

    @Test
    void createLeavesAnExistingFileAsItWas() throws IOException {
        Path file = Files.writeString(dir.resolve("routes.yaml"), "mine\n");

        assertFalse(AtomicFiles.create(file, "theirs\n"));

        assertEquals("mine\n", Files.readString(file));
        assertEquals(List.of("routes.yaml"), names(), "no temporary file, no .bak");
    }

    @Test
    void createDoesNotWriteThroughASymlinkEvenADanglingOne() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("routes.yaml"), dir.resolve("elsewhere.yaml"));

        assertFalse(AtomicFiles.create(link, "theirs\n"));

        assertTrue(Files.isSymbolicLink(link));
        assertFalse(Files.exists(dir.resolve("elsewhere.yaml")), "the link's target was not created");
    }

    @Test
    void createInADirectoryThatDoesNotExistIsExit1NamingTheFile() {
        Path file = dir.resolve("missing/routes.yaml");

        SrouterException e = assertThrows(SrouterException.class, () -> AtomicFiles.create(file, "x\n"));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": "), e.getMessage());
    }
}
