package dev.srouter.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesFileEditorTest {
    private static final Path FILE = Path.of("routes.yaml");

    /** A hand-edited routes file: header, section comments, attached and trailing comments, quoting, flow and block maps. */
    static final String EXAMPLE = """
            # Routes for the support assistant.
            # Edited by hand and synced with `srouter pull`; keep the comments.
            encoder_type: local                  # the bundled ONNX model
            encoder_name: all-MiniLM-L6-v2-q

            routes:
              # --- Conversation -------------------------------------------

              # Small talk. Keep it light.
              - name: chitchat
                description: Small talk.
                utterances:
                  - how's the weather today?   # the most common opener
                  - how are things going?
                  - "lovely weather today"
                  # - the weather is horrendous  (too close to complaints)
                  - 'let''s go to the chippy'

              - name: politics
                description: "Political opinions: a guarded topic."
                score_threshold: 0.45   # tuned on the May logs
                metadata: {team: safety, escalate: true}
                utterances:
                  - isn't politics the best thing ever
                  - why don't you tell me about your political opinions

              # --- Support ------------------------------------------------

              - name: billing
                score_threshold: 0.5
                metadata:
                  team: billing
                  queue: tier-1
                  priority: 2
                utterances:
                  - how much does the premium plan cost?
                  - "yes"                       # confirmations go to billing
                  - can I get an invoice for my subscription?
            """;

    /** Another hand-written style: indentless lists, four-space maps, block scalars, flow values, comments at the end. */
    static final String OTHER_STYLE = """
            # indentless lists, deeper maps, folded text
            encoder_name: all-MiniLM-L6-v2-q
            routes:
            - name: weather
              description: >-
                Weather talk,
                folded.
              utterances: [is it raining, "sunny?"]   # flow list
            - name: music   # trailing comment
              metadata:
                  genre: jazz
                  tags: [a, b]
              function_schemas:
              - name: play
                parameters: {song: string}
              utterances:
              - play some jazz
              - |
                a literal
                utterance
              # end of music
            # end of file
            """;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------- helpers

    private static RouteSet example() {
        return RoutesFile.parse(EXAMPLE, FILE);
    }

    /** The example's routes with one route replaced by {@code change} applied to it. */
    private static RouteSet changeRoute(RouteSet set, String name, UnaryOperator<Route> change) {
        List<Route> routes = new ArrayList<>();
        for (Route r : set.routes()) {
            routes.add(r.name().equals(name) ? change.apply(r) : r);
        }
        return new RouteSet(set.encoderType(), set.encoderName(), routes);
    }

    private static Route withThreshold(Route r, Double threshold) {
        return new Route(r.name(), r.utterances(), r.description(), threshold, r.metadata(), r.functionSchemas());
    }

    private static Route withMetadata(Route r, Map<String, Object> metadata) {
        return new Route(r.name(), r.utterances(), r.description(), r.scoreThreshold(), metadata, r.functionSchemas());
    }

    private static Route withDescription(Route r, String description) {
        return new Route(r.name(), r.utterances(), description, r.scoreThreshold(), r.metadata(), r.functionSchemas());
    }

    private static List<String> plus(List<String> list, String... more) {
        List<String> out = new ArrayList<>(list);
        out.addAll(List.of(more));
        return out;
    }

    /** Edits with the editor, insisting it did not fall back, and checks the text reads back as {@code content}. */
    private static String edited(String original, RouteSet content) {
        RoutesFileEditor.Outcome outcome = RoutesFileEditor.edit(original, FILE, content);
        assertTrue(outcome.edited(), () -> "fell back: " + outcome.fallbackReason());
        // canonical form: an Integer in metadata reads back as a Long
        assertEquals(RoutesFile.toYaml(content), RoutesFile.toYaml(RoutesFile.parse(outcome.text(), FILE)));
        return outcome.text();
    }

    /** A line diff (longest common subsequence): {@code -line} and {@code +line} entries, common lines as {@code " line"}. */
    static List<String> diff(String before, String after) {
        String[] a = lines(before);
        String[] b = lines(after);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                out.add(" " + a[i++]);
                j++;
            } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.add("-" + a[i++]);
            } else {
                out.add("+" + b[j++]);
            }
        }
        return out;
    }

    private static String[] lines(String text) {
        String[] lines = text.split("\n", -1);
        return text.endsWith("\n") ? Arrays.copyOf(lines, lines.length - 1) : lines;
    }

    private static List<String> added(String before, String after) {
        return diff(before, after).stream().filter(l -> l.startsWith("+")).map(l -> l.substring(1)).toList();
    }

    private static List<String> removed(String before, String after) {
        return diff(before, after).stream().filter(l -> l.startsWith("-")).map(l -> l.substring(1)).toList();
    }

    /** The diff in unified format with three lines of context, as {@code diff -u} prints it. */
    static String unified(String before, String after, String fromName, String toName) {
        List<String> d = diff(before, after);
        StringBuilder out = new StringBuilder("--- " + fromName + "\n+++ " + toName + "\n");
        int k = 0;
        while (k < d.size()) {
            if (d.get(k).startsWith(" ")) {
                k++;
                continue;
            }
            int start = Math.max(0, k - 3);
            int end = k;
            while (end < d.size()) { // extend the hunk while changes are within 6 lines of each other
                int next = end;
                while (next < d.size() && d.get(next).startsWith(" ")) {
                    next++;
                }
                if (next == d.size() || next - end > 6) {
                    end = Math.min(d.size(), end + 3);
                    break;
                }
                end = next + 1;
            }
            int oldStart = 1;
            int newStart = 1;
            for (String l : d.subList(0, start)) {
                oldStart += l.startsWith("+") ? 0 : 1;
                newStart += l.startsWith("-") ? 0 : 1;
            }
            List<String> hunk = d.subList(start, end);
            long oldCount = hunk.stream().filter(l -> !l.startsWith("+")).count();
            long newCount = hunk.stream().filter(l -> !l.startsWith("-")).count();
            out.append("@@ -").append(oldStart).append(',').append(oldCount).append(" +").append(newStart).append(',')
                    .append(newCount).append(" @@\n");
            hunk.forEach(l -> out.append(l).append('\n'));
            k = end;
        }
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------- (a) - (h)

    @Test
    void unchangedContentGivesTheSameBytes() {
        assertEquals(EXAMPLE, edited(EXAMPLE, example()));
        // also when the new content was built anew (metadata as Integers, new lists), not read from the file
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("team", "billing");
        metadata.put("queue", "tier-1");
        metadata.put("priority", 2); // an Integer, where the file reads back a Long
        RouteSet rebuilt = changeRoute(example(), "billing", r -> withMetadata(r, metadata));
        assertEquals(EXAMPLE, edited(EXAMPLE, rebuilt));
    }

    @Test
    void addingTwoUtterancesAddsExactlyTwoLines() {
        RouteSet next = changeRoute(example(), "chitchat", r -> r.withUtterances(plus(r.utterances(), "is it going to rain?",
                "no")));
        String out = edited(EXAMPLE, next);
        assertEquals(List.of("      - is it going to rain?", "      - 'no'"), added(EXAMPLE, out));
        assertEquals(List.of(), removed(EXAMPLE, out));
        assertTrue(out.contains("      - 'let''s go to the chippy'\n      - is it going to rain?\n      - 'no'\n\n"
                + "  - name: politics"),
                out);
    }

    @Test
    void removingAnUtteranceRemovesExactlyItsLine() {
        RouteSet next = changeRoute(example(), "chitchat", r -> r.withUtterances(r.utterances().subList(1, 4)));
        String out = edited(EXAMPLE, next);
        assertEquals(List.of("      - how's the weather today?   # the most common opener"), removed(EXAMPLE, out));
        assertEquals(List.of(), added(EXAMPLE, out));

        // a standalone comment above a removed utterance stays (see the class comment)
        next = changeRoute(example(), "chitchat", r -> r.withUtterances(r.utterances().subList(0, 3)));
        out = edited(EXAMPLE, next);
        assertEquals(List.of("      - 'let''s go to the chippy'"), removed(EXAMPLE, out));
    }

    @Test
    void aThresholdChangeReplacesOneLineAndKeepsItsComment() {
        RouteSet next = changeRoute(example(), "politics", r -> withThreshold(r, 0.6));
        String out = edited(EXAMPLE, next);
        assertEquals(List.of("    score_threshold: 0.45   # tuned on the May logs"), removed(EXAMPLE, out));
        assertEquals(List.of("    score_threshold: 0.6   # tuned on the May logs"), added(EXAMPLE, out));

        // set where there was none: after the description (canonical order); unset: the line goes
        out = edited(EXAMPLE, changeRoute(example(), "chitchat", r -> withThreshold(r, 0.3)));
        assertEquals(List.of("    score_threshold: 0.3"), added(EXAMPLE, out));
        assertTrue(out.contains("    description: Small talk.\n    score_threshold: 0.3\n    utterances:\n"), out);
        out = edited(EXAMPLE, changeRoute(example(), "billing", r -> withThreshold(r, null)));
        assertEquals(List.of("    score_threshold: 0.5"), removed(EXAMPLE, out));
        assertEquals(List.of(), added(EXAMPLE, out));
    }

    @Test
    void metadataChangesKeepTheirStyle() {
        Map<String, Object> safety = new LinkedHashMap<>();
        safety.put("team", "safety");
        safety.put("escalate", false);
        safety.put("owner", "ana");
        String out = edited(EXAMPLE, changeRoute(example(), "politics", r -> withMetadata(r, safety)));
        assertEquals(List.of("    metadata: {team: safety, escalate: true}"), removed(EXAMPLE, out));
        assertEquals(List.of("    metadata: {team: safety, escalate: false, owner: ana}"), added(EXAMPLE, out));

        Map<String, Object> billing = new LinkedHashMap<>();
        billing.put("team", "billing");
        billing.put("queue", "tier-2");
        billing.put("priority", 2L);
        out = edited(EXAMPLE, changeRoute(example(), "billing", r -> withMetadata(r, billing)));
        assertEquals(List.of("      queue: tier-1"), removed(EXAMPLE, out));
        assertEquals(List.of("      queue: tier-2"), added(EXAMPLE, out));

        // newly set: a block map after the description; unset: the key and its value go
        out = edited(EXAMPLE, changeRoute(example(), "chitchat", r -> withMetadata(r, Map.of("tone", "light"))));
        assertEquals(List.of("    metadata:", "      tone: light"), added(EXAMPLE, out));
        out = edited(EXAMPLE, changeRoute(example(), "billing", r -> withMetadata(r, Map.of())));
        assertEquals(List.of("    metadata:", "      team: billing", "      queue: tier-1", "      priority: 2"),
                removed(EXAMPLE, out));
        assertEquals(List.of(), added(EXAMPLE, out));
    }

    @Test
    void descriptionAndFunctionSchemaChanges() {
        String out = edited(EXAMPLE, changeRoute(example(), "politics", r -> withDescription(r, "Politics: careful")));
        assertEquals(List.of("    description: 'Politics: careful'"), added(EXAMPLE, out));
        out = edited(EXAMPLE, changeRoute(example(), "politics", r -> withDescription(r, null)));
        assertEquals(List.of("    description: \"Political opinions: a guarded topic.\""), removed(EXAMPLE, out));
        out = edited(EXAMPLE, changeRoute(example(), "chitchat", r -> withDescription(r, "two\nlines")));
        assertEquals(List.of("    description: |-", "      two", "      lines"), added(EXAMPLE, out));

        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("name", "get_time");
        schema.put("parameters", Map.of("timezone", "string"));
        out = edited(EXAMPLE, changeRoute(example(), "billing", r -> new Route(r.name(), r.utterances(), r.description(),
                r.scoreThreshold(), r.metadata(), List.of(schema))));
        assertEquals(List.of("    function_schemas:", "      - name: get_time", "        parameters:",
                "          timezone: string"), added(EXAMPLE, out));
    }

    @Test
    void removingARouteRemovesItsBlockOnly() {
        List<String> lines = new ArrayList<>(List.of(EXAMPLE.split("\n", -1)));
        int start = lines.indexOf("  - name: politics");
        List<Route> routes = example().routes();
        RouteSet next = new RouteSet("local", "all-MiniLM-L6-v2-q", List.of(routes.get(0), routes.get(2)));
        String out = edited(EXAMPLE, next);
        List<String> expected = new ArrayList<>(lines);
        expected.subList(start - 1, start + 7).clear(); // the blank line before it and its seven lines
        assertEquals(String.join("\n", expected), out);

        // the first route takes its attached comment along, the section heading above it stays
        next = new RouteSet("local", "all-MiniLM-L6-v2-q", example().routes().subList(1, 3));
        out = edited(EXAMPLE, next);
        assertEquals(List.of("  # Small talk. Keep it light.", "  - name: chitchat", "    description: Small talk.",
                "    utterances:", "      - how's the weather today?   # the most common opener",
                "      - how are things going?", "      - \"lovely weather today\"",
                "      # - the weather is horrendous  (too close to complaints)", "      - 'let''s go to the chippy'", ""),
                removed(EXAMPLE, out));
        assertTrue(out.contains("routes:\n  # --- Conversation -------------------------------------------\n\n"
                + "  - name: politics"),
                out);

        // the last one: no blank line is left dangling at the end
        next = new RouteSet("local", "all-MiniLM-L6-v2-q", example().routes().subList(0, 2));
        out = edited(EXAMPLE, next);
        assertTrue(out.endsWith("political opinions\n\n  # --- Support ------------------------------------------------\n"),
                out);
    }

    @Test
    void addingARouteAppendsIt() {
        List<Route> routes = plus2(example().routes(), Route.of("greetings", List.of("hello there", "yes")));
        String out = edited(EXAMPLE, new RouteSet("local", "all-MiniLM-L6-v2-q", routes));
        assertEquals(EXAMPLE + "\n  - name: greetings\n    utterances:\n      - hello there\n      - 'yes'\n", out);
    }

    private static List<Route> plus2(List<Route> list, Route more) {
        List<Route> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }

    @Test
    void aDifferentRouteOrderIsHonouredAndMovedRoutesKeepTheirComments() {
        List<Route> r = example().routes();
        RouteSet next = new RouteSet("local", "all-MiniLM-L6-v2-q", List.of(r.get(2), r.get(0), r.get(1)));
        String out = edited(EXAMPLE, next);
        for (String line : EXAMPLE.split("\n")) {
            assertTrue(out.contains(line), () -> "lost: " + line + "\n" + out);
        }
        assertTrue(out.indexOf("# Small talk. Keep it light.\n  - name: chitchat") > 0, out);
    }

    @Test
    void encoderKeysChangeInPlace() {
        String out = edited(EXAMPLE, new RouteSet("openai", "all-MiniLM-L6-v2-q", example().routes()));
        assertEquals(List.of("encoder_type: openai                  # the bundled ONNX model"), added(EXAMPLE, out));
        out = edited(EXAMPLE, new RouteSet(null, "all-MiniLM-L6-v2-q", example().routes()));
        assertEquals(List.of("encoder_type: local                  # the bundled ONNX model"), removed(EXAMPLE, out));
        String bare = "# mine\nroutes:\n  - name: a\n    utterances: [x]\n";
        out = edited(bare, new RouteSet("local", null, RoutesFile.parse(bare, FILE).routes()));
        assertEquals("# mine\nencoder_type: local\nroutes:\n  - name: a\n    utterances: [x]\n", out);
    }

    // ---------------------------------------------------------------------------------------------- (i) fallbacks

    @Test
    void blockScalarsAndCommentsInsideValues() {
        String text = """
                routes:
                  - name: a
                    description: |
                      Two lines
                      of text.

                    metadata:
                      # who owns it
                      team: x
                    utterances:
                      - hi
                """;
        RouteSet old = RoutesFile.parse(text, FILE);
        Route a = old.routes().get(0);
        String out = edited(text, RouteSet.of(List.of(withMetadata(withDescription(a, "One line."), Map.of("team", "y")))));
        assertEquals("""
                routes:
                  - name: a
                    description: One line.

                    metadata:
                      # who owns it
                      team: y
                    utterances:
                      - hi
                """, out);
    }

    @Test
    void aKeyOnTheDashLineIsEditedInPlaceButNotRemoved() {
        String text = "routes:\n  - description: first   # on the dash line\n    name: a\n    utterances: [x]\n";
        Route a = RoutesFile.parse(text, FILE).routes().get(0);
        assertEquals("routes:\n  - description: second   # on the dash line\n    name: a\n    utterances: [x]\n",
                edited(text, RouteSet.of(List.of(withDescription(a, "second")))));
        RouteSet unset = RouteSet.of(List.of(withDescription(a, null)));
        RoutesFileEditor.Outcome outcome = RoutesFileEditor.edit(text, FILE, unset);
        assertFalse(outcome.edited(), "removing the dash line's key falls back");
        assertEquals(RoutesFile.toYaml(unset), outcome.text());
    }

    @Test
    void flowStyleRoutesFallBackToTheCanonicalLayout() {
        String flow = "routes: [{name: a, utterances: [x]}]\n";
        RouteSet next = RouteSet.of(List.of(Route.of("a", List.of("x", "y")), Route.of("b", List.of("z"))));
        RoutesFileEditor.Outcome outcome = RoutesFileEditor.edit(flow, FILE, next);
        assertFalse(outcome.edited());
        assertEquals(RoutesFile.toYaml(next), outcome.text());
        assertEquals(next, RoutesFile.parse(outcome.text(), FILE));

        // invalid original text: nothing to keep
        assertEquals(RoutesFile.toYaml(next), RoutesFileEditor.update("routes: {\n", FILE, next));
        // aliases: not edited in place, still correct
        String aliased = "routes:\n  - name: a\n    metadata: &m {t: 1}\n    utterances: [x]\n  - name: b\n    metadata: *m\n"
                + "    utterances: [y]\n";
        outcome = RoutesFileEditor.edit(aliased, FILE, next);
        assertFalse(outcome.edited());
        assertEquals(next, RoutesFile.parse(outcome.text(), FILE));
    }

    @Test
    void anEmptyFlowListBecomesABlockListKeepingItsComment() {
        String empty = "# routes to come\nroutes: []   # filled by srouter pull\n";
        RouteSet next = RouteSet.of(List.of(Route.of("a", List.of("x"))));
        assertEquals("# routes to come\nroutes:   # filled by srouter pull\n  - name: a\n    utterances:\n      - x\n",
                edited(empty, next));
        String back = edited(edited(empty, next), RouteSet.of(List.of()));
        assertEquals("# routes to come\nroutes: []   # filled by srouter pull\n", back);
    }

    @Test
    void flowStyleValuesInsideARouteAreEditedInPlace() {
        String text = "routes:\n  - name: a   # first\n    utterances: [x, 'y']   # short list\n  - {name: b, utterances: [z]}\n";
        RouteSet old = RoutesFile.parse(text, FILE);
        RouteSet next = RouteSet.of(List.of(old.routes().get(0).withUtterances(List.of("x", "y", "w")),
                old.routes().get(1).withUtterances(List.of("z", "v"))));
        String out = edited(text, next);
        assertEquals("routes:\n  - name: a   # first\n    utterances: [x, y, w]   # short list\n  - name: b\n    utterances:\n"
                + "      - z\n      - v\n", out);
    }

    // ---------------------------------------------------------------------------------------------- (j) property

    private static final List<String> TEXTS = List.of("where is my parcel", "yes", "no", "x: y", "#hash tag", " leading space",
            "it's", "\"quoted\"", "emoji 🚚 ok", "42", "null", "- dash", "[brackets]", "{braces}", "a # b", "trailing:",
            "ünïcödé", "two\nlines", "tab\there", "percent % and @at");

    /**
     * Random edits (fixed seeds) on commented files, applied one after another: every output reads back exactly, was
     * edited rather than rebuilt, keeps the header, and never leaves a double blank line behind.
     */
    @Test
    void randomEditsAlwaysReadBackExactly() {
        String noFinalNewlineCrlf = EXAMPLE.substring(0, EXAMPLE.length() - 1).replace("\n", "\r\n");
        for (String original : List.of(EXAMPLE, OTHER_STYLE, noFinalNewlineCrlf)) {
            randomEdits(original);
        }
    }

    private static void randomEdits(String original) {
        String header = original.substring(0, original.indexOf('\n') + 1);
        String eol = original.contains("\r\n") ? "\r\n" : "\n";
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            String text = original;
            RouteSet current = RoutesFile.parse(original, FILE);
            for (int step = 0; step < 6; step++) {
                RouteSet next = current;
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    next = randomEdit(next, random);
                }
                RoutesFileEditor.Outcome outcome = RoutesFileEditor.edit(text, FILE, next);
                long s = seed;
                int st = step;
                String before = text;
                assertTrue(outcome.edited(), () -> "seed " + s + " step " + st + " fell back: " + outcome.fallbackReason()
                        + "\n" + before);
                assertEquals(next, RoutesFile.parse(outcome.text(), FILE), "seed " + seed + " step " + step);
                assertTrue(outcome.text().startsWith(header), "the header stays");
                assertFalse(outcome.text().contains(eol + eol + eol), () -> "a double blank line\n" + outcome.text());
                assertEquals(original.endsWith("\n"), outcome.text().endsWith("\n"), "final newline kept, or none");
                assertEquals(eol.equals("\r\n"), outcome.text().contains("\r\n"), "line breaks kept");
                assertFalse(eol.equals("\r\n") && outcome.text().replace("\r\n", "").contains("\n"), "no bare LF");
                text = outcome.text();
                current = next;
            }
        }
    }

    private static RouteSet randomEdit(RouteSet set, Random random) {
        List<Route> routes = new ArrayList<>(set.routes());
        String type = set.encoderType();
        int op = random.nextInt(12);
        if (routes.isEmpty() && op != 9) {
            op = 8;
        }
        int i = routes.isEmpty() ? 0 : random.nextInt(routes.size());
        Route r = routes.isEmpty() ? null : routes.get(i);
        switch (op) {
            case 0, 1 -> { // add utterances
                List<String> u = new ArrayList<>(r.utterances());
                for (int k = random.nextInt(3); k >= 0; k--) {
                    String t = TEXTS.get(random.nextInt(TEXTS.size())) + (random.nextBoolean() ? "" : " " + random.nextInt(100));
                    if (!u.contains(t)) {
                        u.add(random.nextInt(4) == 0 ? random.nextInt(u.size() + 1) : u.size(), t);
                    }
                }
                routes.set(i, r.withUtterances(u));
            }
            case 2 -> { // remove an utterance
                if (r.utterances().size() > 1) {
                    List<String> u = new ArrayList<>(r.utterances());
                    u.remove(random.nextInt(u.size()));
                    routes.set(i, r.withUtterances(u));
                }
            }
            case 3 -> routes.set(i, withThreshold(r, random.nextInt(3) == 0 ? null : random.nextInt(101) / 100.0));
            case 4 -> routes.set(i, withDescription(r, random.nextInt(3) == 0 ? null : TEXTS.get(random.nextInt(TEXTS.size()))));
            case 5 -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = random.nextInt(3); k > 0; k--) {
                    m.put("k" + random.nextInt(5), random.nextBoolean() ? (Object) (long) random.nextInt(9) : TEXTS.get(
                            random.nextInt(TEXTS.size())));
                }
                routes.set(i, withMetadata(r, m));
            }
            case 6 -> routes.set(i, new Route(r.name(), r.utterances(), r.description(), r.scoreThreshold(), r.metadata(),
                    random.nextBoolean() ? List.of() : List.of(Map.of("name", "f" + random.nextInt(9)))));
            case 7 -> { // shuffle the utterances
                List<String> u = new ArrayList<>(r.utterances());
                java.util.Collections.shuffle(u, random);
                routes.set(i, r.withUtterances(u));
            }
            case 8 -> routes.add(Route.of("route" + random.nextInt(1000), List.of(TEXTS.get(random.nextInt(TEXTS.size())))));
            case 9 -> {
                if (!routes.isEmpty()) {
                    routes.remove(i);
                }
            }
            case 10 -> { // move a route
                routes.remove(i);
                routes.add(random.nextInt(routes.size() + 1), r);
            }
            default -> type = random.nextBoolean() ? null : random.nextBoolean() ? "openai" : "local";
        }
        if (routes.stream().map(Route::name).distinct().count() != routes.size()) {
            return set; // a random name collided
        }
        return new RouteSet(type, set.encoderName(), routes);
    }

    // ---------------------------------------------------------------------------------------------- (k) line endings

    @Test
    void crlfAndAMissingFinalNewlineArePreserved() {
        String crlf = EXAMPLE.replace("\n", "\r\n");
        RouteSet next = changeRoute(example(), "chitchat", r -> r.withUtterances(plus(r.utterances(), "is it going to rain?")));
        next = changeRoute(next, "politics", r -> withThreshold(r, 0.6));
        next = new RouteSet(next.encoderType(), next.encoderName(), plus2(next.routes(), Route.of("greetings", List.of("hi"))));
        String lf = edited(EXAMPLE, next);
        String out = edited(crlf, next);
        assertEquals(lf.replace("\n", "\r\n"), out);
        assertFalse(out.replace("\r\n", "").contains("\n"), "no bare LF");

        String noFinal = EXAMPLE.substring(0, EXAMPLE.length() - 1);
        String outNoFinal = edited(noFinal, next);
        assertEquals(lf.substring(0, lf.length() - 1), outNoFinal);
        assertEquals(noFinal, edited(noFinal, example()));

        // the fallback keeps them too
        RoutesFileEditor.Outcome fallback = RoutesFileEditor.edit("routes: [{name: a, utterances: [x]}]\r\n", FILE, next);
        assertFalse(fallback.edited());
        assertEquals(RoutesFile.toYaml(next).replace("\n", "\r\n"), fallback.text());
    }

    // ---------------------------------------------------------------------------------------------- (l) write

    @Test
    void writeKeepsABackupAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, EXAMPLE, UTF_8);
        RouteSet next = changeRoute(example(), "politics", r -> withThreshold(r, 0.6));
        RoutesFileEditor.write(f, next);
        assertEquals(RoutesFileEditor.update(EXAMPLE, f, next), Files.readString(f, UTF_8));
        assertEquals(EXAMPLE, Files.readString(dir.resolve("routes.yaml.bak"), UTF_8));
        assertEquals(next, RoutesFile.read(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("routes.yaml", "routes.yaml.bak"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void writeCreatesAMissingFileInTheCanonicalLayout() throws IOException {
        Path f = dir.resolve("new.yaml");
        RouteSet set = RouteSet.of(List.of(Route.of("a", List.of("x"))));
        RoutesFileEditor.write(f, set);
        assertEquals(RoutesFile.toYaml(set), Files.readString(f, UTF_8));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("new.yaml"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void writeRefusesInvalidRoutesAndLeavesTheFileAlone() throws IOException {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, EXAMPLE, UTF_8);
        RouteSet bad = RouteSet.of(List.of(Route.of("a", List.of("x")), Route.of("a", List.of("y"))));
        RoutesFileException e = assertThrows(RoutesFileException.class, () -> RoutesFileEditor.write(f, bad));
        assertTrue(e.problem().startsWith("not written, the routes are invalid: duplicate route name 'a'"), e.problem());
        assertEquals(EXAMPLE, Files.readString(f, UTF_8));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("routes.yaml"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    // ---------------------------------------------------------------------------------------------- for reviewers

    /** Prints what a reviewer sees after adding two utterances and changing a threshold (also saved under target/). */
    @Test
    void printTheExampleDiff() throws IOException {
        RouteSet next = changeRoute(example(), "chitchat", r -> r.withUtterances(plus(r.utterances(), "is it going to rain?",
                "no")));
        next = changeRoute(next, "politics", r -> withThreshold(r, 0.6));
        String out = edited(EXAMPLE, next);
        String unified = unified(EXAMPLE, out, "routes.yaml.bak", "routes.yaml");
        System.out.println(unified);
        assertEquals(List.of("      - is it going to rain?", "      - 'no'",
                "    score_threshold: 0.6   # tuned on the May logs"), added(EXAMPLE, out));
        assertEquals(List.of("    score_threshold: 0.45   # tuned on the May logs"), removed(EXAMPLE, out));
        Path target = Path.of("target", "routes-editor-example");
        Files.createDirectories(target);
        Files.writeString(target.resolve("before.yaml"), EXAMPLE, UTF_8);
        Files.writeString(target.resolve("after.yaml"), out, UTF_8);
    }
}
