package dev.srouter.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Labelled queries: texts with the route they should get, or none. Read by {@code srouter eval} (and by
 * {@code srouter fit}). Two formats, one query a line, blank lines skipped:
 *
 * <ul>
 *   <li>JSONL: {@code {"text": "...", "route": "name"}}, or {@code "route": null} for a query no route should
 *       match; other members are ignored.
 *   <li>TSV: {@code TEXT<TAB>ROUTE}, with {@code -} for none; further columns are ignored, so the output of
 *       {@code srouter route -o tsv} (which adds a score) reads as labelled data.
 * </ul>
 *
 * Every problem stops the read with exit 65 and a message naming {@code FILE:LINE}.
 */
public final class LabelledData {
    /** The label of a TSV line whose query should get no route. */
    public static final String NONE = "-";

    private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** How many known routes an unknown-route message lists. */
    private static final int LISTED = 5;

    private LabelledData() {}

    /**
     * One labelled query.
     *
     * @param route the route it should get, or null when no route should match
     * @param source where it was read, {@code FILE:LINE}
     */
    public record Example(String text, String route, String source) {}

    /** The two layouts of a labelled-data file (lower case, as {@code --data-format} takes them). */
    public enum Format {
        jsonl, tsv;

        /** The format that a file's extension names: {@code .jsonl} and {@code .ndjson} are JSONL, {@code .tsv} is TSV. */
        public static Optional<Format> fromExtension(Path file) {
            Path name = file.getFileName();
            String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
                return Optional.of(jsonl);
            }
            if (n.endsWith(".tsv")) {
                return Optional.of(tsv);
            }
            return Optional.empty();
        }
    }

    /** The format of {@code file}: {@code override} when given, else its extension's; neither is a usage error. */
    public static Format formatOf(Path file, Format override) {
        if (override != null) {
            return override;
        }
        return Format.fromExtension(file).orElseThrow(() -> SrouterException.usage("cannot tell the format of " + file
                + " from its extension (.jsonl, .ndjson or .tsv); give --data-format jsonl or --data-format tsv"));
    }

    /** The labelled queries of {@code file}, in file order; a file with none is an error too. */
    public static List<Example> read(Path file, Format format) {
        List<Example> out = new ArrayList<>();
        int lineNo = 0;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            boolean more = true;
            while (more) {
                // Lines are cut at the byte '\n' (never part of a multi-byte UTF-8 sequence) and decoded one by one,
                // so that bytes that are not UTF-8 are reported on their own line.
                bytes.reset();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    bytes.write(b);
                }
                more = b >= 0;
                if (!more && bytes.size() == 0) {
                    break;
                }
                lineNo++;
                String line;
                try {
                    line = utf8.decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
                } catch (CharacterCodingException e) {
                    throw error(file + ":" + lineNo + ": not UTF-8 text");
                }
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte-order mark some editors write
                }
                if (line.isBlank()) {
                    continue;
                }
                String source = file + ":" + lineNo;
                out.add(format == Format.jsonl ? jsonLine(line, source) : tsvLine(line, source));
            }
        } catch (NoSuchFileException e) {
            throw error(file + ": no such file");
        } catch (IOException e) {
            throw error(file + ": cannot read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (out.isEmpty()) {
            throw error(file + ": no labelled queries (expected one " + (format == Format.jsonl
                    ? "{\"text\": ..., \"route\": ...} object" : "TEXT<TAB>ROUTE line") + " a line)");
        }
        return out;
    }

    private static Example jsonLine(String line, String source) {
        JsonNode node;
        try {
            node = JSON.readValue(line);
        } catch (JsonProcessingException e) {
            String why = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
            throw error(source + ": not valid JSON: " + why);
        }
        if (node == null || !node.isObject()) {
            throw error(source + ": expected a JSON object {\"text\": ..., \"route\": ...}, found " + kind(node));
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) {
            throw error(source + ": missing \"text\"");
        }
        if (!text.isTextual()) {
            throw error(source + ": \"text\" must be a string, found " + kind(text));
        }
        if (text.asText().isBlank()) {
            throw error(source + ": \"text\" is blank");
        }
        if (!node.has("route")) {
            throw error(source + ": missing \"route\" (a route name, or null for a query no route should match)");
        }
        JsonNode route = node.get("route");
        if (route.isNull()) {
            return new Example(text.asText(), null, source);
        }
        if (!route.isTextual()) {
            throw error(source + ": \"route\" must be a route name or null, found " + kind(route));
        }
        if (route.asText().isBlank()) {
            throw error(source + ": \"route\" is blank (use null for a query no route should match)");
        }
        return new Example(text.asText(), route.asText(), source);
    }

    private static Example tsvLine(String line, String source) {
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw error(source + ": expected TEXT<TAB>ROUTE, found no tab");
        }
        String text = line.substring(0, tab);
        int end = line.indexOf('\t', tab + 1);
        String route = (end < 0 ? line.substring(tab + 1) : line.substring(tab + 1, end)).strip();
        if (text.isBlank()) {
            throw error(source + ": the text (first column) is blank");
        }
        if (route.isEmpty()) {
            throw error(source + ": the route (second column) is empty (use '-' for a query no route should match)");
        }
        return new Example(text, route.equals(NONE) ? null : route, source);
    }

    /**
     * Refuses a label that names a route {@code known} does not hold, naming its {@code FILE:LINE} and the closest
     * known names (or a few of them).
     *
     * @param where what holds the known routes, for the message (the routes file, or the index)
     */
    public static void checkRoutes(List<Example> examples, Collection<String> known, String where) {
        Example first = null;
        int unknown = 0;
        for (Example e : examples) {
            if (e.route() != null && !known.contains(e.route())) {
                if (first == null) {
                    first = e;
                }
                unknown++;
            }
        }
        if (first == null) {
            return;
        }
        StringBuilder m = new StringBuilder(first.source()).append(": route '").append(first.route()).append("' is not in ").append(where);
        List<String> close = EditDistance.closest(first.route(), known);
        if (first.route().equals(NONE)) {
            m.append("; for a query no route should match use null in JSONL ('-' is the TSV spelling)");
        } else if (!close.isEmpty()) {
            m.append("; did you mean ").append(String.join(" or ", close.stream().map(c -> "'" + c + "'").toList())).append('?');
        } else {
            List<String> names = List.copyOf(known);
            m.append(" (routes: ").append(String.join(", ", names.subList(0, Math.min(LISTED, names.size()))));
            if (names.size() > LISTED) {
                m.append(", ... ").append(names.size() - LISTED).append(" more");
            }
            m.append(')');
        }
        if (unknown > 1) {
            m.append(" (").append(unknown - 1).append(" more ").append(unknown == 2 ? "label names" : "labels name").append(" unknown routes)");
        }
        throw error(m.toString());
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    private static SrouterException error(String message) {
        return new SrouterException(ExitCode.INVALID_ROUTES, message);
    }
}
