package dev.srouter.core;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Rewrites a routes file to new content while keeping what the user wrote wherever the content did not change.
 *
 * <p>Why: {@code srouter pull} and the merge strategies replace the local routes, and the file is usually under version
 * control and edited by hand. Writing it from scratch ({@link RoutesFile#toYaml}) would drop every comment, blank line
 * and quoting choice, so a reviewer's {@code git diff} would drown the real change. The editor instead works on the
 * original text, line by line, using the start and end marks of SnakeYAML's node tree to find where each route, key
 * and utterance is written, and changes only the lines whose content changed.
 *
 * <p>What is kept: everything above and between the top-level keys; a top-level key's line unless its value changed;
 * the text of every route whose content did not change (byte for byte, comments included); inside a changed route, the
 * lines of the keys and utterances that did not change. The order of {@code newContent} is authoritative: routes and
 * utterances are laid out in its order, and kept items that stay in the same relative order (the longest such run) are
 * not moved at all, so the usual "keep the existing ones, append the new ones" result is a pure addition.
 *
 * <p>What is written new: a changed scalar or single-line flow value ({@code score_threshold: 0.45  # tuned},
 * {@code metadata: {team: a}}) is replaced in place, keeping the rest of its line and its style (flow stays flow); a
 * changed block value is re-rendered under its key line; a newly set key goes after the nearest key that precedes it in
 * the canonical order ({@code name, description, score_threshold, metadata, function_schemas, utterances}); an unset key
 * loses its lines. New utterances use the dash prefix of the list they join and are quoted only when YAML needs it; new
 * routes are rendered like {@link RoutesFile#toYaml} renders them, at the file's indentation, with a blank line before
 * each when the file separates its routes with blank lines.
 *
 * <p>Comment rules (comments are only removed together with the content they evidently belong to):
 * <ul>
 *   <li>Comment lines directly above a route's dash line (no blank line in between), indented no deeper than the dash,
 *       belong to that route; so do comment lines after the route's content that are indented deeper than its dash
 *       (for example a commented-out utterance). They move and disappear with the route.</li>
 *   <li>Comments separated from a route by a blank line (section headings) are never removed.</li>
 *   <li>A comment at the end of an utterance's line goes with that utterance. Standalone comment lines inside an
 *       utterance list are always kept, even directly above a removed utterance: such a comment often describes a group
 *       of utterances, and keeping a stale note is cheaper than losing a useful one. The reviewer sees it in the diff.</li>
 *   <li>A trailing comment on a key line survives a value change when the value was a one-line scalar or flow value;
 *       it is lost when a one-line value becomes multi-line (or the reverse).</li>
 *   <li>When an item is removed, the blank line that separated it from its neighbours is removed once, so no double or
 *       dangling blank lines remain.</li>
 * </ul>
 *
 * <p>Safety: the edited text must read back ({@link RoutesFile#parse}) to exactly {@code newContent}: same routes in the
 * same order, same utterances in the same order, same attributes (compared in canonical form, so an Integer 3 in
 * metadata equals the Long 3 read back). Anything the editor does not handle (flow-style routes lists, YAML aliases or
 * merge keys, a dash on its own line, an original that does not read as routes, unusual line breaks) and any result
 * that fails that check falls back to the full {@link RoutesFile#toYaml} layout. Line endings (LF, CRLF), a missing final
 * newline and a byte order mark are kept in both cases.
 *
 * <p>Limits, by design: a changed block value (metadata, function schemas) is re-rendered whole, so comments inside it
 * are lost and nested lists and maps come out in block style with two-space steps (a line diff still shows only the
 * lines that differ when the rendering matches the user's). A changed flow value is re-rendered whole by SnakeYAML, so
 * its quoting may change. New routes use {@link RoutesFile#toYaml}'s two-space steps even in files indented otherwise,
 * which is still valid YAML. Removing a key written on a route's dash line ({@code - description: x} before
 * {@code name}) falls back.
 */
public final class RoutesFileEditor {
    /** A dash line's text up to the item: indentation, the dash, and the spaces after it. */
    private static final Pattern DASH_PREFIX = Pattern.compile("( *)-[ \t]+");

    private RoutesFileEditor() {}

    /**
     * The result of {@link #edit}: the new text, and why the editor fell back to the canonical layout (null when the
     * original text was edited). Package-private so tests can tell a careful edit from a safe fallback.
     */
    record Outcome(String text, String fallbackReason) {
        boolean edited() {
            return fallbackReason == null;
        }
    }

    /**
     * The text of {@code originalText} rewritten to hold {@code newContent}, keeping the user's layout and comments where
     * the content did not change (see the class comment for the rules).
     *
     * @param fileForMessages the file named in error messages
     * @throws RoutesFileException when {@code newContent} itself is invalid (duplicate names, empty utterances...)
     */
    public static String update(String originalText, Path fileForMessages, RouteSet newContent) {
        return edit(originalText, fileForMessages, newContent).text();
    }

    /**
     * Writes {@code newContent} to {@code file} the way {@link #update} lays it out (from scratch with
     * {@link RoutesFile#toYaml} when the file does not exist or cannot be read as UTF-8 text), atomically and keeping the
     * previous version as {@code FILE.bak}, like {@link RoutesFile#write}. Nothing is written when the routes are invalid.
     */
    public static void write(Path file, RouteSet newContent) {
        String canonical = RoutesFile.toYaml(newContent);
        RoutesFile.requireValid(canonical, file);
        String text = canonical;
        if (Files.isRegularFile(file)) {
            String original = null;
            try {
                original = RoutesFile.readText(file);
            } catch (RoutesFileException e) {
                // unreadable or not UTF-8: nothing to keep, so the file is written in the canonical layout
            }
            if (original != null) {
                text = edit(original, file, newContent).text();
            }
        }
        RoutesFile.writeText(file, text);
    }

    /** {@link #update}, telling whether the text was edited or rebuilt from scratch. */
    static Outcome edit(String originalText, Path file, RouteSet newContent) {
        String canonical = RoutesFile.toYaml(newContent);
        RoutesFile.requireValid(canonical, file);
        Layout layout = Layout.of(originalText);
        String reason;
        try {
            String edited = new Editor(layout, file, newContent).run();
            reason = mismatch(edited, file, canonical);
            if (reason == null) {
                return new Outcome(edited, null);
            }
        } catch (CannotEdit e) {
            reason = e.getMessage();
        }
        return new Outcome(layout.adapt(canonical), reason);
    }

    /** Null when {@code text} reads back to the routes {@code canonical} renders, else what is wrong. */
    private static String mismatch(String text, Path file, String canonical) {
        try {
            if (RoutesFile.toYaml(RoutesFile.parse(text, file)).equals(canonical)) {
                return null;
            }
            return "the edited text does not read back as the new routes";
        } catch (RoutesFileException e) {
            return "the edited text does not parse: " + e.getMessage();
        }
    }

    /** The editor cannot (or should not) edit this text in place; the caller falls back to the canonical layout. */
    private static final class CannotEdit extends RuntimeException {
        CannotEdit(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------------------------------------- text as lines

    /** One line of text and the line break that ended it ("" for a last line without one). */
    private record Line(String text, String eol) {
        boolean blank() {
            return text.isBlank();
        }

        boolean comment() {
            return text.stripLeading().startsWith("#");
        }

        int indent() {
            int n = 0;
            while (n < text.length() && text.charAt(n) == ' ') {
                n++;
            }
            return n;
        }
    }

    /** The original text split into lines, with what must survive any rewrite: BOM, line-break style, final newline. */
    private record Layout(boolean bom, String body, List<Line> lines, String eol, boolean finalNewline) {
        static Layout of(String text) {
            boolean bom = text.startsWith("\uFEFF");
            String body = bom ? text.substring(1) : text;
            List<Line> lines = new ArrayList<>();
            String eol = null;
            int start = 0;
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '\n' || c == '\r') {
                    String br = c == '\r' && i + 1 < body.length() && body.charAt(i + 1) == '\n' ? "\r\n" : String.valueOf(c);
                    lines.add(new Line(body.substring(start, i), br));
                    eol = eol == null ? br : eol;
                    i += br.length() - 1;
                    start = i + 1;
                }
            }
            if (start < body.length()) {
                lines.add(new Line(body.substring(start), ""));
            }
            boolean finalNewline = lines.isEmpty() || !lines.get(lines.size() - 1).eol().isEmpty();
            return new Layout(bom, body, lines, eol == null ? "\n" : eol, finalNewline);
        }

        /** Lines joined back into text: lines that lost their place at the end get the file's line break. */
        String join(List<Line> out) {
            StringBuilder b = new StringBuilder(bom ? "\uFEFF" : "");
            for (Line line : out) {
                b.append(line.text()).append(line.eol().isEmpty() ? eol : line.eol());
            }
            if (!finalNewline && !out.isEmpty()) {
                String last = out.get(out.size() - 1).eol();
                b.setLength(b.length() - (last.isEmpty() ? eol : last).length());
            }
            return b.toString();
        }

        /** Canonical YAML (LF line breaks) in this file's line-break style, BOM and final-newline choice. */
        String adapt(String canonical) {
            String text = canonical.replace("\n", eol);
            if (!finalNewline && text.endsWith(eol)) {
                text = text.substring(0, text.length() - eol.length());
            }
            return (bom ? "\uFEFF" : "") + text;
        }
    }

    /** Line-range replacements on the original lines, applied in one pass so earlier edits never shift later ones. */
    private static final class Edits {
        private record Edit(int from, int to, List<Line> lines, int seq) {}

        private final List<Edit> edits = new ArrayList<>();

        /** Replaces lines {@code from..to} (inclusive). */
        void replace(int from, int to, List<Line> lines) {
            edits.add(new Edit(from, to, lines, edits.size()));
        }

        /** Inserts before line {@code at}; insertions at the same place keep the order they were made in. */
        void insertBefore(int at, List<Line> lines) {
            edits.add(new Edit(at, at - 1, lines, edits.size()));
        }

        boolean isEmpty() {
            return edits.isEmpty();
        }

        /** Lines {@code from..to} of {@code source} with the edits applied. */
        List<Line> apply(List<Line> source, int from, int to) {
            List<Edit> sorted = new ArrayList<>(edits);
            sorted.sort((a, b) -> a.from() != b.from() ? Integer.compare(a.from(), b.from())
                    : a.to() - a.from() != b.to() - b.from() ? Integer.compare(a.to() - a.from(), b.to() - b.from())
                    : Integer.compare(a.seq(), b.seq()));
            List<Line> out = new ArrayList<>();
            int next = from;
            for (Edit e : sorted) {
                if (e.from() < next || e.from() > to + 1 || e.to() > to) {
                    throw new CannotEdit("overlapping edits at line " + (e.from() + 1));
                }
                out.addAll(source.subList(next, e.from()));
                out.addAll(e.lines());
                next = e.to() + 1;
            }
            out.addAll(source.subList(next, to + 1));
            return out;
        }
    }

    // ---------------------------------------------------------------------------------------------- the editor

    /** A block mapping being edited: its keys' column, and the line of its list dash (-1 for the top level). */
    private record Block(MappingNode node, int keyColumn, int dashLine) {}

    /** A list item in the original text: lines {@code prefixStart..bodyStart-1} lead to it (blank or comment lines). */
    private record Unit(int prefixStart, int bodyStart, int bodyEnd) {}

    /** What goes into a rebuilt list: an original item (by unit index) with its possibly edited lines, or a new one. */
    private record Slot(int unit, List<Line> lines) {
        static Slot fresh(List<Line> lines) {
            return new Slot(-1, lines);
        }

        boolean kept() {
            return unit >= 0;
        }
    }

    private static final class Editor {
        private final Layout layout;
        private final List<Line> lines;
        private final Path file;
        private final RouteSet target;
        private final Yaml blockYaml = new Yaml(RoutesFile.blockStyle());
        private final Yaml flowYaml;
        private RouteSet old;

        Editor(Layout layout, Path file, RouteSet target) {
            this.layout = layout;
            this.lines = layout.lines();
            this.file = file;
            this.target = target;
            DumperOptions flow = RoutesFile.blockStyle();
            flow.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
            this.flowYaml = new Yaml(flow);
        }

        String run() {
            String body = layout.body();
            for (char c : new char[] {'\u0085', '\u2028', '\u2029', '\uFEFF'}) {
                if (body.indexOf(c) >= 0) {
                    // YAML counts NEL/LS/PS as line breaks and a BOM as no column; our line model would be off
                    throw new CannotEdit(String.format("the text contains U+%04X", (int) c));
                }
            }
            try {
                old = RoutesFile.parse(body, file);
            } catch (RoutesFileException e) {
                throw new CannotEdit("the original text does not read as routes: " + e.getMessage());
            }
            Node root = compose(body);
            checkTree(root, Collections.newSetFromMap(new IdentityHashMap<>()));
            if (!(root instanceof MappingNode map) || isFlow(map)) {
                throw new CannotEdit("the top level is not a block map");
            }
            Block top = new Block(map, map.getStartMark().getColumn(), -1);
            Edits edits = new Edits();
            if (!Objects.equals(old.encoderType(), target.encoderType())) {
                setEntry(top, "encoder_type", target.encoderType(), RoutesFile.TOP_KEYS, edits);
            }
            if (!Objects.equals(old.encoderName(), target.encoderName())) {
                setEntry(top, "encoder_name", target.encoderName(), RoutesFile.TOP_KEYS, edits);
            }
            routes(entry(map, "routes"), edits);
            if (edits.isEmpty()) {
                return layout.bom() ? "\uFEFF" + body : body;
            }
            return layout.join(edits.apply(lines, 0, lines.size() - 1));
        }

        private Node compose(String body) {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(RoutesFile.MAX_ALIASES);
            options.setAllowRecursiveKeys(false);
            options.setCodePointLimit(RoutesFile.MAX_CODE_POINTS + 1);
            options.setProcessComments(false);
            try {
                return new Yaml(options).compose(new StringReader(body));
            } catch (RuntimeException e) {
                throw new CannotEdit("cannot compose the original text: " + e.getMessage());
            }
        }

        /** Aliases make one node appear at two places and merge keys hide where keys are written: not edited in place. */
        private static void checkTree(Node node, Set<Node> seen) {
            if (!seen.add(node)) {
                throw new CannotEdit("the file uses YAML aliases (*name)");
            }
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode().getTag().equals(Tag.MERGE)) {
                        throw new CannotEdit("the file uses merge keys (<<)");
                    }
                    checkTree(t.getKeyNode(), seen);
                    checkTree(t.getValueNode(), seen);
                }
            } else if (node instanceof SequenceNode s) {
                for (Node item : s.getValue()) {
                    checkTree(item, seen);
                }
            }
        }

        // ------------------------------------------------------------------------------------------ the routes list

        private void routes(NodeTuple entry, Edits edits) {
            Node value = entry.getValueNode();
            int keyLine = line(entry.getKeyNode());
            if (!(value instanceof SequenceNode seq)) {
                throw new CannotEdit("'routes' is not a list");
            }
            if (isFlow(seq)) {
                emptyFlowRoutes(entry, seq, edits);
                return;
            }
            List<Node> items = seq.getValue();
            int n = items.size();
            int[] dashLines = new int[n];
            int[] contentEnds = new int[n];
            int dashColumn = -1;
            for (int i = 0; i < n; i++) {
                Node item = items.get(i);
                dashLines[i] = line(item);
                int column = dashColumn(item, "route #" + (i + 1));
                if (dashColumn >= 0 && column != dashColumn) {
                    throw new CannotEdit("routes are not aligned");
                }
                dashColumn = column;
                contentEnds[i] = endLine(item);
            }
            // Each route owns the comments directly above its dash (not deeper than it) and the deeper ones after it.
            int[] heads = new int[n];
            int[] tails = new int[n];
            for (int i = 0; i < n; i++) {
                int limit = i + 1 < n ? dashLines[i + 1] : lines.size();
                int tail = contentEnds[i];
                for (int j = contentEnds[i] + 1; j < limit; j++) {
                    Line l = lines.get(j);
                    if (l.blank()) {
                        continue;
                    }
                    if (!l.comment() || l.indent() <= dashColumn) {
                        break;
                    }
                    tail = j;
                }
                tails[i] = tail;
            }
            List<Unit> units = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int boundary = i == 0 ? keyLine : tails[i - 1];
                int head = dashLines[i];
                while (head - 1 > boundary && lines.get(head - 1).comment() && lines.get(head - 1).indent() <= dashColumn) {
                    head--;
                }
                heads[i] = head;
                units.add(new Unit(boundary + 1, head, tails[i]));
            }
            checkGaps(units);

            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) {
                index.put(old.routes().get(i).name(), i);
            }
            List<Slot> slots = new ArrayList<>();
            for (Route route : target.routes()) {
                Integer i = index.get(route.name());
                if (i == null) {
                    slots.add(Slot.fresh(renderRoute(route, dashColumn)));
                } else {
                    slots.add(new Slot(i, routeLines(items.get(i), old.routes().get(i), route, heads[i], dashLines[i],
                            contentEnds[i], tails[i], dashColumn)));
                }
            }
            boolean blankSeparated = n >= 2 && lines.subList(units.get(n - 1).prefixStart(), units.get(n - 1).bodyStart())
                    .stream().anyMatch(Line::blank);
            List<Line> rebuilt = rebuild(units, slots, blankSeparated);
            if (!rebuilt.equals(lines.subList(keyLine + 1, tails[n - 1] + 1))) {
                edits.replace(keyLine + 1, tails[n - 1], rebuilt);
            }
            if (target.routes().isEmpty()) {
                edits.replace(keyLine, keyLine, List.of(afterColon(entry, " []")));
            }
        }

        /** {@code routes: []}: stays when there are still no routes, else becomes a block list under the key. */
        private void emptyFlowRoutes(NodeTuple entry, SequenceNode seq, Edits edits) {
            if (target.routes().isEmpty()) {
                return;
            }
            int keyLine = line(entry.getKeyNode());
            if (!seq.getValue().isEmpty() || line(seq) != keyLine || endLine(seq) != keyLine) {
                throw new CannotEdit("the routes are written in flow style");
            }
            Line l = lines.get(keyLine);
            String before = l.text().substring(0, chars(l, seq.getStartMark().getColumn())).stripTrailing();
            String after = l.text().substring(chars(l, seq.getEndMark().getColumn()));
            edits.replace(keyLine, keyLine, List.of(new Line(before + after, l.eol())));
            int dashColumn = entry.getKeyNode().getStartMark().getColumn() + 2;
            List<Line> added = new ArrayList<>();
            for (Route route : target.routes()) {
                added.addAll(renderRoute(route, dashColumn));
            }
            edits.insertBefore(keyLine + 1, added);
        }

        /** The lines of a kept route: verbatim when unchanged, else the original with just the changes edited in. */
        private List<Line> routeLines(Node item, Route before, Route after, int head, int dashLine, int contentEnd, int tail,
                int dashColumn) {
            List<Line> original = lines.subList(head, tail + 1);
            if (canonical(before).equals(canonical(after))) {
                return original;
            }
            if (!(item instanceof MappingNode map) || isFlow(map)) {
                // a one-line flow route ({name: a, utterances: [x]}) is re-rendered whole; its own comments stay
                List<Line> out = new ArrayList<>(lines.subList(head, dashLine));
                out.addAll(renderRoute(after, dashColumn));
                out.addAll(lines.subList(contentEnd + 1, tail + 1));
                return out;
            }
            Block block = new Block(map, map.getStartMark().getColumn(), dashLine);
            Edits edits = new Edits();
            List<String> order = RoutesFile.ROUTE_KEYS;
            if (!Objects.equals(before.description(), after.description())) {
                setEntry(block, "description", after.description(), order, edits);
            }
            if (!Objects.equals(before.scoreThreshold(), after.scoreThreshold())) {
                setEntry(block, "score_threshold", after.scoreThreshold(), order, edits);
            }
            if (!flow(before.metadata()).equals(flow(after.metadata()))) {
                setEntry(block, "metadata", after.metadata().isEmpty() ? null : after.metadata(), order, edits);
            }
            if (!flow(before.functionSchemas()).equals(flow(after.functionSchemas()))) {
                setEntry(block, "function_schemas", after.functionSchemas().isEmpty() ? null : after.functionSchemas(), order,
                        edits);
            }
            if (!before.utterances().equals(after.utterances())) {
                utterances(block, before, after, edits);
            }
            return edits.apply(lines, head, tail);
        }

        /** Edits an utterance list item by item: kept lines stay, removed ones go, new ones are added in place. */
        private void utterances(Block block, Route before, Route after, Edits edits) {
            NodeTuple entry = entry(block.node(), "utterances");
            if (!(entry.getValueNode() instanceof SequenceNode seq) || isFlow(seq)) {
                setEntry(block, "utterances", after.utterances(), RoutesFile.ROUTE_KEYS, edits);
                return;
            }
            List<Node> items = seq.getValue();
            List<Unit> units = new ArrayList<>();
            int previousEnd = -1;
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                dashColumn(item, "utterance #" + (i + 1));
                int start = line(item);
                int end = endLine(item);
                units.add(new Unit(previousEnd < 0 ? start : previousEnd + 1, start, end));
                previousEnd = end;
            }
            checkGaps(units);
            Node first = items.get(0);
            Line firstLine = lines.get(line(first));
            String dashPrefix = firstLine.text().substring(0, chars(firstLine, first.getStartMark().getColumn()));
            int dashColumn = dashPrefix.indexOf('-');
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < before.utterances().size(); i++) {
                index.put(before.utterances().get(i), i);
            }
            List<Slot> slots = new ArrayList<>();
            for (String text : after.utterances()) {
                Integer i = index.get(text);
                if (i == null) {
                    slots.add(Slot.fresh(renderUtterance(text, dashPrefix, dashColumn)));
                } else {
                    Unit u = units.get(i);
                    slots.add(new Slot(i, lines.subList(u.bodyStart(), u.bodyEnd() + 1)));
                }
            }
            Unit last = units.get(units.size() - 1);
            edits.replace(units.get(0).prefixStart(), last.bodyEnd(), rebuild(units, slots, false));
        }

        /**
         * A list rebuilt in the order of {@code slots}. The longest run of kept items already in file order stays where
         * it is (with the comments and blank lines leading to each); other kept items and new ones are inserted after
         * the stable item they follow in the new order. A removed item's leading lines stay (they may be section
         * comments), minus the blank line that separated it, so its neighbours keep a single separator.
         */
        private List<Line> rebuild(List<Unit> units, List<Slot> slots, boolean blankSeparated) {
            boolean[] stable = longestIncreasingRun(slots);
            Map<Integer, Slot> stableSlots = new HashMap<>();
            Map<Integer, List<Slot>> insertedAfter = new HashMap<>(); // key: unit index of the stable item before, or -1
            int lastStable = -1;
            for (int s = 0; s < slots.size(); s++) {
                Slot slot = slots.get(s);
                if (stable[s]) {
                    stableSlots.put(slot.unit(), slot);
                    lastStable = slot.unit();
                } else {
                    insertedAfter.computeIfAbsent(lastStable, k -> new ArrayList<>()).add(slot);
                }
            }
            int firstStable = stableSlots.keySet().stream().mapToInt(Integer::intValue).min().orElse(-1);
            List<Line> out = new ArrayList<>();
            boolean skipLeadingBlanks = false;
            for (int u = 0; u < units.size(); u++) {
                Unit unit = units.get(u);
                List<Line> prefix = new ArrayList<>(lines.subList(unit.prefixStart(), unit.bodyStart()));
                if (skipLeadingBlanks) {
                    while (!prefix.isEmpty() && prefix.get(0).blank()) {
                        prefix.remove(0);
                    }
                }
                Slot slot = stableSlots.get(u);
                if (u == firstStable) {
                    for (Slot s : insertedAfter.getOrDefault(-1, List.of())) {
                        out.addAll(s.lines());
                        if (blankSeparated && (prefix.isEmpty() || !prefix.get(0).blank())) {
                            out.add(blankLine());
                        }
                    }
                }
                if (slot != null) {
                    out.addAll(prefix);
                    out.addAll(slot.lines());
                    for (Slot s : insertedAfter.getOrDefault(u, List.of())) {
                        separate(out, blankSeparated);
                        out.addAll(s.lines());
                    }
                    skipLeadingBlanks = false;
                } else {
                    int next = unit.bodyEnd() + 1;
                    if (next >= lines.size() || lines.get(next).blank()) {
                        while (!prefix.isEmpty() && prefix.get(prefix.size() - 1).blank()) {
                            prefix.remove(prefix.size() - 1);
                        }
                    }
                    out.addAll(prefix);
                    skipLeadingBlanks = out.isEmpty() || out.get(out.size() - 1).blank();
                }
            }
            if (firstStable < 0) {
                for (Slot s : insertedAfter.getOrDefault(-1, List.of())) {
                    separate(out, blankSeparated);
                    out.addAll(s.lines());
                }
            }
            return out;
        }

        private void separate(List<Line> out, boolean blankSeparated) {
            if (blankSeparated && !out.isEmpty() && !out.get(out.size() - 1).blank()) {
                out.add(blankLine());
            }
        }

        /** Which slots form the longest run of kept items whose original positions increase: those need not move. */
        private static boolean[] longestIncreasingRun(List<Slot> slots) {
            int n = slots.size();
            int[] tailSlot = new int[n + 1]; // tailSlot[k]: slot ending the best run of length k found so far
            int[] previous = new int[n];
            int length = 0;
            for (int s = 0; s < n; s++) {
                int unit = slots.get(s).unit();
                if (unit < 0) {
                    continue;
                }
                int lo = 1;
                int hi = length;
                while (lo <= hi) {
                    int mid = (lo + hi) >>> 1;
                    if (slots.get(tailSlot[mid]).unit() < unit) {
                        lo = mid + 1;
                    } else {
                        hi = mid - 1;
                    }
                }
                previous[s] = lo > 1 ? tailSlot[lo - 1] : -1;
                tailSlot[lo] = s;
                length = Math.max(length, lo);
            }
            boolean[] stable = new boolean[n];
            for (int s = length > 0 ? tailSlot[length] : -1; s >= 0; s = previous[s]) {
                stable[s] = true;
            }
            return stable;
        }

        // ------------------------------------------------------------------------------------------ keys of a map

        /** Sets ({@code value} non-null) or removes one key of a block map, touching only that key's lines. */
        private void setEntry(Block block, String key, Object value, List<String> order, Edits edits) {
            NodeTuple entry = entry(block.node(), key);
            if (entry == null) {
                if (value != null) {
                    insertEntry(block, key, value, order, edits);
                }
                return;
            }
            int keyLine = line(entry.getKeyNode());
            int end = Math.max(keyLine, endLine(entry.getValueNode()));
            if (value == null) {
                if (keyLine == block.dashLine()) {
                    throw new CannotEdit("cannot remove '" + key + "' from the line of its list dash");
                }
                edits.replace(keyLine, end, List.of());
                return;
            }
            Node old = entry.getValueNode();
            Line line = lines.get(keyLine);
            List<String> rendered = renderEntry(key, value);
            if (line(old) == keyLine && end == keyLine && old.getEndMark().getLine() == keyLine) {
                String text = null;
                if (old instanceof ScalarNode && rendered.size() == 1 && rendered.get(0).startsWith(key + ": ")) {
                    text = rendered.get(0).substring(key.length() + 2);
                } else if (isFlow(old)) {
                    String flow = flow(value);
                    text = flow.contains("\n") ? null : flow;
                }
                if (text != null) {
                    int from = chars(line, old.getStartMark().getColumn());
                    int to = chars(line, old.getEndMark().getColumn());
                    String space = from == to && (from == 0 || line.text().charAt(from - 1) != ' ') ? " " : "";
                    String spliced = line.text().substring(0, from) + space + text + line.text().substring(to);
                    edits.replace(keyLine, keyLine, List.of(new Line(spliced, line.eol())));
                    return;
                }
            }
            int column = block.keyColumn();
            if (line(old) > keyLine && !isFlow(old) && old instanceof CollectionNode<?> && rendered.size() > 1
                    && rendered.get(0).equals(key + ":")) {
                // a block value under its key: keep the key line (and any comment between it and the value)
                int shift = old.getStartMark().getColumn() - leadingSpaces(rendered.get(1));
                List<Line> out = new ArrayList<>();
                for (String r : rendered.subList(1, rendered.size())) {
                    out.add(fresh(indent(r, shift)));
                }
                edits.replace(line(old), end, out);
                return;
            }
            List<Line> out = new ArrayList<>();
            out.add(fresh(line.text().substring(0, chars(line, column)) + rendered.get(0)));
            for (String r : rendered.subList(1, rendered.size())) {
                out.add(fresh(indent(r, column)));
            }
            edits.replace(keyLine, end, out);
        }

        /** A new key goes after the key before it in the canonical order, else before the first key after it. */
        private void insertEntry(Block block, String key, Object value, List<String> order, Edits edits) {
            int rank = order.indexOf(key);
            NodeTuple before = null;
            NodeTuple after = null;
            for (NodeTuple t : block.node().getValue()) {
                int r = order.indexOf(((ScalarNode) t.getKeyNode()).getValue());
                if (r >= 0 && r < rank && (before == null || r > order.indexOf(((ScalarNode) before.getKeyNode()).getValue()))) {
                    before = t;
                }
                if (r > rank && (after == null || r < order.indexOf(((ScalarNode) after.getKeyNode()).getValue()))) {
                    after = t;
                }
            }
            List<Line> out = new ArrayList<>();
            for (String r : renderEntry(key, value)) {
                out.add(fresh(indent(r, block.keyColumn())));
            }
            if (before != null) {
                edits.insertBefore(Math.max(line(before.getKeyNode()), endLine(before.getValueNode())) + 1, out);
            } else if (after != null && line(after.getKeyNode()) != block.dashLine()) {
                edits.insertBefore(line(after.getKeyNode()), out);
            } else {
                throw new CannotEdit("no place to add '" + key + "'");
            }
        }

        /** The key line with {@code text} inserted right after the key's colon. */
        private Line afterColon(NodeTuple entry, String text) {
            Node key = entry.getKeyNode();
            Line line = lines.get(line(key));
            int i = chars(line, key.getEndMark().getColumn());
            while (i < line.text().length() && line.text().charAt(i) == ' ') {
                i++;
            }
            if (i >= line.text().length() || line.text().charAt(i) != ':') {
                throw new CannotEdit("no colon after '" + ((ScalarNode) key).getValue() + "'");
            }
            return new Line(line.text().substring(0, i + 1) + text + line.text().substring(i + 1), line.eol());
        }

        private static NodeTuple entry(MappingNode map, String key) {
            for (NodeTuple t : map.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new CannotEdit("a key that is not a scalar");
                }
                if (k.getValue().equals(key)) {
                    return t;
                }
            }
            return null;
        }

        // ------------------------------------------------------------------------------------------ rendering

        /** {@code key: value} as {@link RoutesFile#toYaml} writes it, one string per line, indented from column 0. */
        private List<String> renderEntry(String key, Object value) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put(key, RoutesFile.plain(value));
            return List.of(blockYaml.dump(map).split("\n"));
        }

        /** A value in one line of flow style, the style of {@code metadata: {team: a}}. */
        private String flow(Object value) {
            String text = flowYaml.dump(RoutesFile.plain(value));
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        }

        /** A new utterance line with the list's own dash prefix; quoted only when YAML needs it. */
        private List<Line> renderUtterance(String text, String dashPrefix, int dashColumn) {
            String[] rendered = blockYaml.dump(List.of(text)).split("\n");
            int dash = rendered[0].indexOf("- ");
            List<Line> out = new ArrayList<>();
            out.add(fresh(dashPrefix + rendered[0].substring(dash + 2)));
            for (int i = 1; i < rendered.length; i++) {
                out.add(fresh(indent(rendered[i], dashColumn - dash)));
            }
            return out;
        }

        /** A new route as {@link RoutesFile#toYaml} renders it, moved to the file's dash column. */
        private List<Line> renderRoute(Route route, int dashColumn) {
            String[] rendered = RoutesFile.toYaml(new RouteSet(null, null, List.of(route))).split("\n");
            List<Line> out = new ArrayList<>();
            for (int i = 1; i < rendered.length; i++) { // rendered[0] is "routes:", items start at column 2
                out.add(fresh(indent(rendered[i], dashColumn - 2)));
            }
            return out;
        }

        private static String canonical(Route route) {
            return RoutesFile.toYaml(RouteSet.of(List.of(route)));
        }

        private Line fresh(String text) {
            return new Line(text, layout.eol());
        }

        private Line blankLine() {
            return fresh("");
        }

        /**
         * A rendered line moved {@code by} columns right (left when negative). Empty lines stay empty, so no trailing
         * spaces appear inside block scalars; moving left past the line's own indentation cannot be done safely.
         */
        private static String indent(String text, int by) {
            if (text.isEmpty() || by == 0) {
                return text;
            }
            if (by > 0) {
                return " ".repeat(by) + text;
            }
            if (leadingSpaces(text) < -by) {
                throw new CannotEdit("cannot move a rendered line left");
            }
            return text.substring(-by);
        }

        private static int leadingSpaces(String text) {
            int n = 0;
            while (n < text.length() && text.charAt(n) == ' ') {
                n++;
            }
            return n;
        }

        // ------------------------------------------------------------------------------------------ positions

        /** The column of a block list item's dash, checking the dash is on the item's first line. */
        private int dashColumn(Node item, String what) {
            Line line = lines.get(line(item));
            String prefix = line.text().substring(0, chars(line, item.getStartMark().getColumn()));
            if (!DASH_PREFIX.matcher(prefix).matches()) {
                throw new CannotEdit(what + " does not start on its dash line");
            }
            return prefix.indexOf('-');
        }

        /** Lines between list items must be blank or comments, else the items were not found where expected. */
        private void checkGaps(List<Unit> units) {
            for (Unit u : units) {
                for (int i = u.prefixStart(); i < u.bodyStart(); i++) {
                    if (!lines.get(i).blank() && !lines.get(i).comment()) {
                        throw new CannotEdit("unexpected text between list items at line " + (i + 1));
                    }
                }
            }
        }

        private static int line(Node node) {
            return node.getStartMark().getLine();
        }

        /**
         * The last line holding the node's own text. Scalars and flow collections end at their end mark (block scalars'
         * end marks sit after their trailing line breaks, so trailing blank lines are skipped); block collections end
         * where their last entry ends, since their own end mark is the start of whatever follows, comments included.
         */
        private int endLine(Node node) {
            if (node instanceof MappingNode m && !isFlow(m) && !m.getValue().isEmpty()) {
                NodeTuple last = m.getValue().get(m.getValue().size() - 1);
                return Math.max(endLine(last.getKeyNode()), endLine(last.getValueNode()));
            }
            if (node instanceof SequenceNode s && !isFlow(s) && !s.getValue().isEmpty()) {
                return endLine(s.getValue().get(s.getValue().size() - 1));
            }
            int start = line(node);
            Mark end = node.getEndMark();
            int line = end.getLine();
            if (line >= lines.size()
                    || lines.get(line).text().substring(0, chars(lines.get(line), end.getColumn())).isBlank()) {
                line--;
            }
            while (line > start && lines.get(line).blank()) {
                line--;
            }
            return Math.max(line, start);
        }

        private static boolean isFlow(Node node) {
            return node instanceof CollectionNode<?> c && c.getFlowStyle() == DumperOptions.FlowStyle.FLOW;
        }

        /** Char offset of code-point column {@code column} in the line. */
        private static int chars(Line line, int column) {
            String text = line.text();
            if (column > text.codePointCount(0, text.length())) {
                throw new CannotEdit("a position past the end of its line");
            }
            return text.offsetByCodePoints(0, column);
        }
    }
}
