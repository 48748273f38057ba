package dev.srouter.core;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.Set;
import java.util.UUID;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads and writes the routes file: semantic-router's {@code to_yaml} layout (DESIGN.md, "Routes file (YAML)").
 *
 * <p>The reader composes the document into SnakeYAML's node tree (not into maps) so every problem can be reported
 * with the line and column of the offending node. It stops at the first problem and throws a
 * {@link RoutesFileException} (exit code 65) whose message reads {@code file:line:column: problem}.
 *
 * <p>Typing rules: identifiers ({@code name}, {@code encoder_type}, {@code encoder_name}) must be string scalars, so a
 * bare {@code name: 123} or {@code name: yes} is rejected with a hint to quote it. Free text ({@code description} and
 * utterances) takes any scalar's text exactly as written: {@code - yes}, {@code - ok} and {@code - 42} are ordinary
 * utterances, not booleans or numbers. Metadata and function schemas hold JSON-like values: String, Long, Double,
 * Boolean, null, List and LinkedHashMap (key order kept); YAML timestamps stay strings as written.
 *
 * <p>The writer emits the same layout in block style and replaces the file atomically, keeping a {@code .bak}. It
 * writes the whole file from scratch; to rewrite a file the user edits by hand, keeping comments and layout where the
 * content did not change, use {@link RoutesFileEditor#write}.
 */
public final class RoutesFile {
    /** Largest routes file we read, in code points (SnakeYAML's own default is 3 MB). */
    static final int MAX_CODE_POINTS = 50 * 1024 * 1024;
    /** Aliases to lists or maps allowed in one file (SnakeYAML's default), against "billion laughs" expansions. */
    static final int MAX_ALIASES = 50;
    /** Values metadata and function schemas may expand to once aliases are followed. */
    static final int MAX_VALUES = 100_000;

    static final List<String> TOP_KEYS = List.of("encoder_type", "encoder_name", "routes");
    static final List<String> ROUTE_KEYS = List.of("name", "description", "score_threshold", "metadata", "function_schemas",
            "utterances");

    private static final String MISSING = "no such file; srouter init (with the same -r) writes a starter one, or pass -r/--routes to read another";

    private RoutesFile() {}

    /** Reads and validates a routes file; every problem is a {@link RoutesFileException}; what it forgives is not reported. */
    public static RouteSet read(Path path) {
        return read(path, w -> {});
    }

    /**
     * Reads and validates a routes file. What semantic-router accepts and srouter can read without ambiguity is
     * forgiven, each with one warning {@code file:line:column: ...} to {@code warn}: a blank utterance is skipped, a
     * repeated utterance within a route is kept once. Everything else is a {@link RoutesFileException}.
     */
    public static RouteSet read(Path path, Consumer<String> warn) {
        Parser parser = new Parser(path);
        RouteSet routes = parser.document(readText(path));
        parser.warnings.forEach(warn);
        return routes;
    }

    /** Where something is written in the routes file: 1-based line and column (in code points). */
    public record Position(int line, int column) {}

    /**
     * A routes file as {@link #read} reads it, with where each route's {@code name} value and each kept utterance are
     * written (a repeated utterance is at its first occurrence, the one that is kept).
     */
    public record Located(RouteSet routes, Map<String, Position> routeNames, Map<Utterance, Position> utterances) {
        public Located {
            routeNames = Collections.unmodifiableMap(routeNames);
            utterances = Collections.unmodifiableMap(utterances);
        }

        public java.util.Optional<Position> of(String route) {
            return java.util.Optional.ofNullable(routeNames.get(route));
        }

        public java.util.Optional<Position> of(Utterance utterance) {
            return java.util.Optional.ofNullable(utterances.get(utterance));
        }
    }

    /** {@link #read(Path, Consumer)}, keeping the positions of route names and utterances (for messages about them). */
    public static Located readLocated(Path path, Consumer<String> warn) {
        Parser parser = new Parser(path);
        RouteSet routes = parser.document(readText(path));
        parser.warnings.forEach(warn);
        return new Located(routes, parser.routePositions, parser.utterancePositions);
    }

    /**
     * The text of a routes file, decoded as UTF-8, without validating it as routes; shared by {@link #read} and
     * {@link RoutesFileEditor}, which needs the text as the user wrote it. A missing, unreadable or non-UTF-8 file is a
     * {@link RoutesFileException}.
     */
    static String readText(Path path) {
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new RoutesFileException(path, 0, 0,
                        "is a directory, not a routes file; pass the YAML file itself with -r/--routes");
            }
            if (Files.isRegularFile(path) && Files.size(path) > 4L * MAX_CODE_POINTS) {
                throw tooLarge(path);
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new RoutesFileException(path, 0, 0, MISSING);
        } catch (AccessDeniedException e) {
            throw new RoutesFileException(path, 0, 0, "cannot read the file: permission denied");
        } catch (IOException e) {
            throw new RoutesFileException(path, 0, 0, "cannot read the file: " + reason(e));
        }
        return decode(bytes, path);
    }

    /**
     * Parses and validates routes YAML.
     *
     * @param fileForMessages the file named in error messages
     */
    public static RouteSet parse(String yaml, Path fileForMessages) {
        return new Parser(fileForMessages).document(yaml);
    }

    /**
     * The routes in semantic-router's layout: {@code encoder_type}, {@code encoder_name} (each only when set), then
     * {@code routes}; per route {@code name}, {@code description}, {@code score_threshold}, {@code metadata},
     * {@code function_schemas} (each only when set or non-empty) and {@code utterances}. Strings are quoted only when
     * YAML needs it. {@code parse(toYaml(x))} equals {@code x} for any valid route set.
     */
    public static String toYaml(RouteSet routes) {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (routes.encoderType() != null) {
            doc.put("encoder_type", routes.encoderType());
        }
        if (routes.encoderName() != null) {
            doc.put("encoder_name", routes.encoderName());
        }
        List<Object> list = new ArrayList<>();
        for (Route r : routes.routes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            if (r.description() != null) {
                m.put("description", r.description());
            }
            if (r.scoreThreshold() != null) {
                m.put("score_threshold", r.scoreThreshold());
            }
            if (!r.metadata().isEmpty()) {
                m.put("metadata", plain(r.metadata()));
            }
            if (!r.functionSchemas().isEmpty()) {
                m.put("function_schemas", plain(r.functionSchemas()));
            }
            m.put("utterances", new ArrayList<>(r.utterances()));
            list.add(m);
        }
        doc.put("routes", list);
        return new Yaml(blockStyle()).dump(doc);
    }

    /**
     * How {@link #toYaml} lays out YAML; {@link RoutesFileEditor} renders the values it inserts with the same options so
     * edited and freshly written files look alike.
     */
    static DumperOptions blockStyle() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true); // "  - name: x" under "routes:", as in the documented layout
        options.setWidth(Integer.MAX_VALUE);
        options.setSplitLines(false); // never fold a long utterance over several lines
        options.setAllowUnicode(true); // emoji and accents stay literal, not \U0001F69A escapes
        options.setLineBreak(DumperOptions.LineBreak.UNIX);
        return options;
    }

    /**
     * Replaces the routes file atomically: the YAML goes to a temporary file in the same directory, is flushed to disk,
     * the existing file is copied to {@code FILE.bak}, and the temporary file is renamed over the target. Nothing is
     * written when the route set is invalid (it is re-read from the YAML first).
     */
    public static void write(Path path, RouteSet routes) {
        String yaml = toYaml(routes);
        requireValid(yaml, path);
        writeText(path, yaml);
    }

    /** Throws "not written, the routes are invalid" when {@code yaml} (a rendering of routes to write) does not parse. */
    static void requireValid(String yaml, Path path) {
        try {
            parse(yaml, path);
        } catch (RoutesFileException e) {
            throw new RoutesFileException(path, 0, 0, "not written, the routes are invalid: " + e.problem());
        }
    }

    /**
     * Replaces {@code path} with {@code text} atomically, keeping the previous version as {@code FILE.bak}: the mechanism
     * behind {@link #write}, shared with {@link RoutesFileEditor#write}. The text is not checked here.
     */
    static void writeText(Path path, String text) {
        AtomicFiles.write(path, text, true);
    }

    // ---------------------------------------------------------------------------------------------- reading helpers

    private static String decode(byte[] bytes, Path path) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF) || (bytes[0] == (byte) 0xFF
                && bytes[1] == (byte) 0xFE))) {
            throw new RoutesFileException(path, 0, 0, "the file is UTF-16; save it as UTF-8");
        }
        CharsetDecoder decoder = UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            String before = new String(bytes, 0, offset, UTF_8);
            int[] pos = position(before, before.length());
            throw new RoutesFileException(path, pos[0], pos[1], String.format(Locale.ROOT,
                    "not valid UTF-8 (byte 0x%02X); save the file as UTF-8", bytes[offset] & 0xFF));
        }
        out.flip();
        return out.toString();
    }

    /** 1-based line and column (in code points) of char index {@code end} in {@code text}. */
    private static int[] position(String text, int end) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, text.codePointCount(lineStart, end) + 1};
    }

    private static RoutesFileException tooLarge(Path path) {
        return new RoutesFileException(path, 0, 0, "the file is too large (more than " + MAX_CODE_POINTS / (1024 * 1024)
                + " MB of text)");
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** A short, one-line rendering of user text for messages. */
    static String quote(String text) {
        String s = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(Character.isISOControl(c) ? String.format(Locale.ROOT, "\\u%04X", (int) c) : c);
            }
        }
        return b.append('\'').toString();
    }

    // ---------------------------------------------------------------------------------------------- did you mean

    /** The valid key closest to {@code key}: edit distance at most 2 or a shared prefix, ignoring case, '_' and '-'. */
    static String closest(String key, List<String> valid) {
        String k = normalize(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : valid) {
            String c = normalize(candidate);
            int distance = EditDistance.between(k, c);
            boolean prefix = Math.min(k.length(), c.length()) >= 3 && (c.startsWith(k) || k.startsWith(c))
                    || commonPrefix(k, c) >= 4;
            if ((distance <= 2 && distance < Math.max(k.length(), c.length())) || prefix) {
                if (distance < bestDistance) {
                    best = candidate;
                    bestDistance = distance;
                }
            }
        }
        return best;
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(" ", "");
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------- writing helpers

    /** A deep copy in plain LinkedHashMap/ArrayList, so SnakeYAML emits no tags and no anchors for shared objects. */
    static Object plain(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("not a JSON-like value: " + value.getClass().getName());
    }

    // ---------------------------------------------------------------------------------------------- the parser

    /** One key of a mapping, after merge keys are applied. */
    private record Entry(String key, Node keyNode, Node value) {}

    /** Builds Java values from scalar nodes the way SnakeYAML's loader would (YAML 1.1 ints, floats, booleans). */
    private static final class Scalars extends SafeConstructor {
        Scalars() {
            super(new LoaderOptions());
        }

        Object value(ScalarNode node) {
            return constructObject(node);
        }
    }

    private static final class Parser {
        private final Path file;
        private final Scalars scalars = new Scalars();
        private int values;
        /** What was forgiven, {@code file:line:column: ...}, in file order. */
        final List<String> warnings = new ArrayList<>();
        /** Where each route's name and each kept utterance are written. */
        final Map<String, Position> routePositions = new HashMap<>();
        final Map<Utterance, Position> utterancePositions = new HashMap<>();

        Parser(Path file) {
            this.file = file;
        }

        RouteSet document(String yaml) {
            if (!yaml.isEmpty() && yaml.charAt(0) == '\uFEFF') {
                yaml = yaml.substring(1); // a UTF-8 byte order mark is allowed, and is not content
            }
            if (yaml.length() > MAX_CODE_POINTS && yaml.codePointCount(0, yaml.length()) > MAX_CODE_POINTS) {
                throw tooLarge(file);
            }
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false); // only used when constructing; compose() keeps duplicates, see entries()
            options.setMaxAliasesForCollections(MAX_ALIASES);
            options.setAllowRecursiveKeys(false);
            options.setCodePointLimit(MAX_CODE_POINTS + 1);
            options.setProcessComments(false);
            Node root;
            try {
                root = new Yaml(options).compose(new StringReader(yaml));
            } catch (MarkedYAMLException e) {
                throw syntaxError(e);
            } catch (ReaderException e) {
                int[] pos = position(yaml, yaml.offsetByCodePoints(0, Math.min(e.getPosition(), yaml.codePointCount(0,
                        yaml.length()))));
                throw new RoutesFileException(file, pos[0], pos[1], String.format(Locale.ROOT,
                        "not valid YAML: control character U+%04X is not allowed", e.getCodePoint()));
            } catch (YAMLException e) {
                String message = String.valueOf(e.getMessage());
                if (message.startsWith("Number of aliases")) {
                    message = "more than " + MAX_ALIASES + " aliases (*name) to lists or maps";
                }
                throw new RoutesFileException(file, 0, 0, "not valid YAML: " + message);
            }
            if (root == null) {
                throw new RoutesFileException(file, 1, 1,
                        "the file is empty; expected a map with a 'routes' list (see routes-example.yaml)");
            }
            if (isNull(root)) {
                throw at(root, "the document is empty; expected a map with a 'routes' list (see routes-example.yaml)");
            }
            if (!(root instanceof MappingNode map)) {
                throw at(root, "expected a map with a 'routes' list at the top level, found " + describe(root));
            }
            return top(map);
        }

        private RoutesFileException syntaxError(MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem;
            if ("expected a single document in the stream".equals(e.getContext())) {
                problem = "more than one document (a second '---'); a routes file holds one";
            } else if (e.getProblem() == null) {
                problem = e.getContext();
            } else if (e.getProblem().contains("(TAB)")) {
                problem = "a tab character; indent with spaces";
            } else {
                problem = e.getProblem();
                Mark at = e.getContextMark();
                if (e.getContext() != null && at != null) {
                    problem += " (" + e.getContext() + (mark != null && at.getLine() != mark.getLine() ? " started at line "
                            + (at.getLine() + 1) : "") + ")";
                }
            }
            problem = "not valid YAML: " + String.valueOf(problem).replaceAll("\\s+", " ").trim();
            return mark == null ? new RoutesFileException(file, 0, 0, problem)
                    : new RoutesFileException(file, mark.getLine() + 1, mark.getColumn() + 1, problem);
        }

        private RouteSet top(MappingNode map) {
            String encoderType = null;
            String encoderName = null;
            List<Route> routes = null;
            for (Entry e : entries(map, "at the top level")) {
                switch (e.key()) {
                    case "encoder_type" -> encoderType = identifier(e.value(), "'encoder_type'", false);
                    case "encoder_name" -> encoderName = identifier(e.value(), "'encoder_name'", false);
                    case "routes" -> routes = routes(e.value());
                    default -> throw unknownKey(e, "at the top level", TOP_KEYS);
                }
            }
            if (routes == null) {
                throw at(map, "missing 'routes': expected a list of routes (write 'routes: []' for none)");
            }
            return new RouteSet(encoderType, encoderName, routes);
        }

        private List<Route> routes(Node node) {
            if (!(node instanceof SequenceNode seq)) {
                String hint = isNull(node) ? "; write 'routes: []' for none" : "";
                throw at(node, "'routes': expected a list of routes, found " + describe(node) + hint);
            }
            List<Route> routes = new ArrayList<>();
            Map<String, Node> names = new HashMap<>();
            for (Node item : seq.getValue()) {
                routes.add(route(item, routes.size() + 1, names));
            }
            return routes;
        }

        private Route route(Node node, int number, Map<String, Node> names) {
            if (!(node instanceof MappingNode map)) {
                throw at(node, "route #" + number + ": expected a map with 'name' and 'utterances', found " + describe(node));
            }
            String label = label(map, number);
            String name = null;
            String description = null;
            Double threshold = null;
            Map<String, Object> metadata = null;
            List<Map<String, Object>> functionSchemas = null;
            List<String> utterances = null;
            List<Node> utteranceNodes = new ArrayList<>();
            Node nameNode = null;
            for (Entry e : entries(map, "in " + label)) {
                Node value = e.value();
                switch (e.key()) {
                    case "name" -> {
                        name = identifier(value, "'name' in " + label, true);
                        nameNode = value;
                        Node first = names.putIfAbsent(name, value);
                        if (first != null) {
                            throw at(value, "duplicate route name " + quote(name) + " (first defined at line " + line(first)
                                    + ")");
                        }
                    }
                    case "description" -> description = text(value, "'description' in " + label);
                    case "score_threshold" -> threshold = threshold(value, "'score_threshold' in " + label);
                    case "metadata" -> metadata = map(value, "'metadata' in " + label);
                    case "function_schemas" -> functionSchemas = functionSchemas(value, label);
                    case "utterances" -> utterances = utterances(value, label, utteranceNodes);
                    case "llm" -> {
                        // semantic-router's Route.to_dict() writes "llm" (null unless the route has an LLM for dynamic
                        // routes), so files it writes carry "llm: null". srouter never calls an LLM, so only null is
                        // accepted; a configured LLM would be silently ignored otherwise.
                        if (!isNull(value)) {
                            throw at(value, "llm is not supported by srouter (" + label + "); remove 'llm' or set it to null");
                        }
                    }
                    default -> throw unknownKey(e, "in " + label, ROUTE_KEYS);
                }
            }
            if (name == null) {
                throw at(map, label + " has no 'name'");
            }
            if (utterances == null) {
                throw at(map, label + " has no 'utterances'; add a list with at least one example");
            }
            routePositions.put(name, positionOf(nameNode));
            for (int i = 0; i < utterances.size(); i++) {
                utterancePositions.put(new Utterance(name, utterances.get(i)), positionOf(utteranceNodes.get(i)));
            }
            return new Route(name, utterances, description, threshold, metadata, functionSchemas);
        }

        /** "route 'politics'" when the route has a usable name, else "route #2". */
        private static String label(MappingNode map, int number) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name")
                        && t.getValueNode() instanceof ScalarNode v && v.getTag().equals(Tag.STR) && !v.getValue().isBlank()) {
                    return "route " + quote(v.getValue());
                }
            }
            return "route #" + number;
        }

        /** The kept utterances; their nodes go to {@code nodes}, in the same order. */
        private List<String> utterances(Node node, String label, List<Node> nodes) {
            if (!(node instanceof SequenceNode seq)) {
                throw at(node, "'utterances' in " + label + ": expected a list of strings, found " + describe(node));
            }
            if (seq.getValue().isEmpty()) {
                throw at(node, "'utterances' in " + label + " is empty; add at least one example");
            }
            List<String> out = new ArrayList<>();
            Map<String, Node> seen = new HashMap<>();
            for (Node item : seq.getValue()) {
                String where = "utterance #" + (out.size() + 1) + " in " + label;
                if (!(item instanceof ScalarNode scalar)) {
                    throw at(item, where + ": expected a string, found " + describe(item));
                }
                String text = scalar.getValue(); // exact text as written, whatever YAML would resolve it to (yes, 42)
                // semantic-router loads both of these (public intent data sets have them): skip, keep one, and say so.
                if (text.isBlank()) {
                    warn(item, (text.isEmpty() ? "empty " : "blank ") + where + " skipped");
                    continue;
                }
                Node first = seen.putIfAbsent(text, item);
                if (first != null) {
                    warn(item, "repeated utterance " + quote(text) + " in " + label + " (first at line " + line(first)
                            + ") kept once");
                    continue;
                }
                out.add(text);
                nodes.add(item);
            }
            if (out.isEmpty()) {
                throw at(node, "'utterances' in " + label + " has no utterance that is not blank; add at least one example");
            }
            return out;
        }

        private static Position positionOf(Node node) {
            Mark mark = node.getStartMark();
            return new Position(mark.getLine() + 1, mark.getColumn() + 1);
        }

        private void warn(Node node, String problem) {
            Mark mark = node.getStartMark();
            warnings.add(file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": " + problem);
        }

        /** A string scalar; with {@code required}, also non-null and not blank. */
        private String identifier(Node node, String subject, boolean required) {
            if (!required && isNull(node)) {
                return null;
            }
            if (node instanceof ScalarNode s && s.getTag().equals(Tag.STR)) {
                if (required && s.getValue().isBlank()) {
                    throw at(node, subject + " is empty");
                }
                return s.getValue();
            }
            String hint = node instanceof ScalarNode s && !isNull(s)
                    ? "; quote it to use it as text: \"" + s.getValue() + "\""
                    : "";
            throw at(node, subject + ": expected a string, found " + describe(node) + hint);
        }

        /** Free text: null, or any scalar's text as written. */
        private String text(Node node, String subject) {
            if (isNull(node)) {
                return null;
            }
            if (node instanceof ScalarNode s) {
                return s.getValue();
            }
            throw at(node, subject + ": expected a string, found " + describe(node));
        }

        private Double threshold(Node node, String subject) {
            if (isNull(node)) {
                return null;
            }
            if (node instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
                double value = ((Number) scalars.value(s)).doubleValue();
                if (!(value >= 0 && value <= 1)) {
                    throw at(node, subject + " must be between 0 and 1, found " + s.getValue());
                }
                return value;
            }
            throw at(node, subject + ": expected a number between 0 and 1, found " + describe(node));
        }

        private Map<String, Object> map(Node node, String subject) {
            if (isNull(node)) {
                return null;
            }
            if (!(node instanceof MappingNode)) {
                throw at(node, subject + ": expected a map, found " + describe(node));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) convert(node, subject, identitySet());
            return out;
        }

        private List<Map<String, Object>> functionSchemas(Node node, String label) {
            if (isNull(node)) {
                return null;
            }
            if (!(node instanceof SequenceNode seq)) {
                throw at(node, "'function_schemas' in " + label + ": expected a list of maps, found " + describe(node));
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (Node item : seq.getValue()) {
                String subject = "function schema #" + (out.size() + 1) + " in " + label;
                if (!(item instanceof MappingNode)) {
                    throw at(item, subject + ": expected a map, found " + describe(item));
                }
                out.add(map(item, subject));
            }
            return out;
        }

        /** A node as a JSON-like Java value; aliases are followed (within limits), self references rejected. */
        private Object convert(Node node, String subject, Set<Node> path) {
            if (++values > MAX_VALUES) {
                throw at(node, subject + " expands to more than " + MAX_VALUES + " values; check the aliases (*name)");
            }
            if (!path.add(node)) {
                throw at(node, subject + " contains itself through an alias; recursive structures are not supported");
            }
            try {
                if (node instanceof MappingNode m) {
                    checkTag(node, Tag.MAP, subject);
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (Entry e : entries(m, "in " + subject)) {
                        out.put(e.key(), convert(e.value(), subject, path));
                    }
                    return out;
                }
                if (node instanceof SequenceNode s) {
                    checkTag(node, Tag.SEQ, subject);
                    List<Object> out = new ArrayList<>();
                    for (Node item : s.getValue()) {
                        out.add(convert(item, subject, path));
                    }
                    return out;
                }
                return scalar((ScalarNode) node, subject);
            } finally {
                path.remove(node);
            }
        }

        private Object scalar(ScalarNode node, String subject) {
            Tag tag = node.getTag();
            if (tag.equals(Tag.STR)) {
                return node.getValue();
            }
            if (tag.equals(Tag.NULL)) {
                return null;
            }
            if (tag.equals(Tag.BOOL)) {
                return scalars.value(node);
            }
            if (tag.equals(Tag.INT)) {
                Object n = scalars.value(node);
                if (n instanceof BigInteger big) {
                    if (big.bitLength() > 63) {
                        throw at(node, subject + ": the integer " + node.getValue() + " is too large (more than 64 bits)");
                    }
                    return big.longValue();
                }
                return ((Number) n).longValue();
            }
            if (tag.equals(Tag.FLOAT)) {
                return ((Number) scalars.value(node)).doubleValue();
            }
            if (tag.equals(Tag.TIMESTAMP)) {
                return node.getValue(); // JSON has no dates: keep the text as written
            }
            throw unsupportedTag(node, subject);
        }

        private void checkTag(Node node, Tag expected, String subject) {
            if (!node.getTag().equals(expected)) {
                throw unsupportedTag(node, subject);
            }
        }

        private RoutesFileException unsupportedTag(Node node, String subject) {
            return at(node, subject + ": unsupported YAML tag " + tagName(node.getTag())
                    + "; use strings, numbers, booleans, null, lists and maps");
        }

        /**
         * The keys of a mapping in file order. Keys must be scalars and unique; merge keys ({@code <<: *base}) are
         * applied like PyYAML does: merged keys first, keys written in the mapping win.
         */
        private List<Entry> entries(MappingNode map, String where) {
            return entries(map, where, identitySet());
        }

        private static Set<Node> identitySet() {
            return Collections.newSetFromMap(new IdentityHashMap<>());
        }

        private List<Entry> entries(MappingNode map, String where, Set<Node> merging) {
            if (!merging.add(map)) {
                throw at(map, "a merge key ('<<') " + where + " includes its own map");
            }
            Map<String, Entry> explicit = new LinkedHashMap<>();
            Map<String, Entry> merged = new LinkedHashMap<>();
            for (NodeTuple t : map.getValue()) {
                Node key = t.getKeyNode();
                Node value = t.getValueNode();
                if (key.getTag().equals(Tag.MERGE)) {
                    List<Node> sources = value instanceof SequenceNode seq ? seq.getValue() : List.of(value);
                    for (Node source : sources) {
                        if (!(source instanceof MappingNode m)) {
                            throw at(source, "a merge key ('<<') " + where + " needs a map or a list of maps, found "
                                    + describe(source));
                        }
                        for (Entry e : entries(m, where, merging)) {
                            merged.putIfAbsent(e.key(), e);
                        }
                    }
                    continue;
                }
                if (!(key instanceof ScalarNode k)) {
                    throw at(key, "expected a key name " + where + ", found " + describe(key));
                }
                Entry first = explicit.put(k.getValue(), new Entry(k.getValue(), key, value));
                if (first != null) {
                    throw at(key, "duplicate key " + quote(k.getValue()) + " " + where + " (first at line "
                            + line(first.keyNode()) + ")");
                }
            }
            merging.remove(map);
            if (merged.isEmpty()) {
                return new ArrayList<>(explicit.values());
            }
            Map<String, Entry> all = new LinkedHashMap<>(merged);
            all.putAll(explicit);
            return new ArrayList<>(all.values());
        }

        private RoutesFileException unknownKey(Entry e, String where, List<String> valid) {
            String suggestion = closest(e.key(), valid);
            String tail = suggestion != null
                    ? "; did you mean '" + suggestion + "'?"
                    : "; valid keys: " + String.join(", ", valid);
            return at(e.keyNode(), "unknown key " + quote(e.key()) + " " + where + tail);
        }

        private RoutesFileException at(Node node, String problem) {
            Mark mark = node.getStartMark();
            return new RoutesFileException(file, mark.getLine() + 1, mark.getColumn() + 1, problem);
        }

        private static int line(Node node) {
            return node.getStartMark().getLine() + 1;
        }

        private static boolean isNull(Node node) {
            return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
        }

        /** "a string", "a number", "a map"... for "expected X, found Y" messages; scalars show their text. */
        private static String describe(Node node) {
            if (node instanceof MappingNode) {
                return "a map";
            }
            if (node instanceof SequenceNode) {
                return "a list";
            }
            ScalarNode s = (ScalarNode) node;
            Tag tag = s.getTag();
            String kind;
            if (tag.equals(Tag.NULL)) {
                return s.getValue().isEmpty() ? "nothing" : "null";
            } else if (tag.equals(Tag.STR)) {
                kind = "a string";
            } else if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
                kind = "a number";
            } else if (tag.equals(Tag.BOOL)) {
                kind = "a boolean";
            } else if (tag.equals(Tag.TIMESTAMP)) {
                kind = "a date";
            } else {
                kind = "a value tagged " + tagName(tag);
            }
            return kind + " (" + quote(s.getValue()) + ")";
        }

        private static String tagName(Tag tag) {
            String value = tag.getValue();
            return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
        }
    }
}
