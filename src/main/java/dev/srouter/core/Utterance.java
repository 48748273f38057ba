package dev.srouter.core;

import java.util.Objects;

/**
 * One utterance of one route: what identifies a record in a remote index (its id is derived from these two strings),
 * so it is the unit the sync plan upserts and deletes. Sorted by route, then text, so plans list them in one order
 * whatever order the inputs came in.
 */
public record Utterance(String route, String text) implements Comparable<Utterance> {
    public Utterance {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public int compareTo(Utterance other) {
        int byRoute = route.compareTo(other.route);
        return byRoute != 0 ? byRoute : text.compareTo(other.text);
    }

    @Override
    public String toString() {
        return route + ": " + text;
    }
}
