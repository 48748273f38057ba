package dev.srouter.index.file;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * File names and codecs of the {@code file:} index layout (see {@link FileIndex} and docs/file-index.md),
 * and the one way every file of it is written: to a temporary name, forced to disk, then renamed over the
 * final name with {@code ATOMIC_MOVE}, so a reader sees the old file or the new one, never a part.
 */
final class FileLayout {
    static final int LAYOUT_VERSION = 1;
    static final String COLLECTION = "collection.json";
    static final String MANIFEST = "manifest.json";
    static final String CONFIG = "sr_config.json";
    static final String LOCK = "lock";
    static final String TMP_SUFFIX = ".tmp";
    static final String PAYLOADS = ".jsonl";
    static final String VECTORS = ".f32";
    static final String SEGMENT_PREFIX = "points-";

    static final ObjectMapper JSON = new ObjectMapper();
    static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private FileLayout() {}

    /** The segment written by the commit of {@code generation}: {@code points-000042}, which names a .jsonl and a .f32 file. */
    static String segmentName(long generation) {
        return String.format("%s%06d", SEGMENT_PREFIX, generation);
    }

    static Path payloads(Path dir, String segment) {
        return dir.resolve(segment + PAYLOADS);
    }

    static Path vectors(Path dir, String segment) {
        return dir.resolve(segment + VECTORS);
    }

    static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    }

    /** A JSON object file, or null when it does not exist. */
    static Map<String, Object> readJson(Path file) {
        try {
            return JSON.readValue(Files.readAllBytes(file), MAP);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** Writes {@code value} as JSON to the temporary name of {@code file}, forced to disk; {@link #moveIntoPlace} publishes it. */
    static Path writeJsonTemp(Path file, Object value) throws IOException {
        Path tmp = temp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value)));
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
            ch.force(true);
        }
        return tmp;
    }

    /** Writes one JSON object a line to the temporary name of {@code file}, forced to disk. */
    static Path writeLinesTemp(Path file, List<? extends Map<String, Object>> lines) throws IOException {
        Path tmp = temp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Writer w = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8), 1 << 16);
            for (Map<String, Object> line : lines) {
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
            w.flush();
            ch.force(true);
        }
        return tmp;
    }

    /** Writes vectors as consecutive little-endian float32 values to the temporary name of {@code file}, forced to disk. */
    static Path writeVectorsTemp(Path file, List<float[]> vectors, int dimension) throws IOException {
        Path tmp = temp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            int perChunk = Math.max(1, (1 << 20) / (4 * Math.max(1, dimension)));
            ByteBuffer buf = ByteBuffer.allocate(perChunk * dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int start = 0; start < vectors.size(); start += perChunk) {
                buf.clear();
                FloatBuffer floats = buf.asFloatBuffer();
                int end = Math.min(vectors.size(), start + perChunk);
                for (int i = start; i < end; i++) {
                    floats.put(vectors.get(i));
                }
                buf.limit(floats.position() * 4);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
        return tmp;
    }

    /** Every float of a .f32 file, which must hold exactly {@code count} vectors of {@code dimension}. */
    static float[] readVectors(Path file, int count, int dimension) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long expected = (long) count * dimension * 4;
            if (ch.size() != expected) {
                throw corrupt(file, new IOException("holds " + ch.size() + " bytes, expected " + expected
                        + " (" + count + " vectors of dimension " + dimension + ")"));
            }
            ByteBuffer buf = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new IOException("unexpected end of file");
                }
            }
            buf.flip();
            float[] flat = new float[count * dimension];
            buf.asFloatBuffer().get(flat);
            return flat;
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** The JSON objects of a .jsonl file, one a line. */
    static List<Map<String, Object>> readLines(Path file) {
        List<Map<String, Object>> lines = new ArrayList<>();
        try (var it = JSON.readerFor(MAP).<Map<String, Object>>readValues(file.toFile())) {
            while (it.hasNextValue()) {
                lines.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            throw corrupt(file, e);
        }
        return lines;
    }

    /** Renames a forced temporary file over its final name, atomically. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target.getParent() + " cannot rename files atomically", e);
        }
    }

    /** Makes the renames in {@code dir} durable where the platform allows (Linux, macOS); elsewhere a no-op. */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; its renames are journaled by NTFS.
        }
    }

    static SrouterException corrupt(Path file, Exception cause) {
        return new SrouterException(ExitCode.FAILURE, "cannot read " + file + ": " + cause.getMessage(), cause);
    }
}
