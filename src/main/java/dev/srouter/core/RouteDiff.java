package dev.srouter.core;

import java.util.List;

/**
 * How one route differs between the two sides of a {@link Diff}.
 *
 * @param localOnly utterances only the local side has, in local file order
 * @param remoteOnly utterances only the remote side has, sorted (a remote has no meaningful order)
 * @param common how many utterances both sides have
 * @param attributeChanges attributes whose values differ; always empty unless the route is on both sides
 */
public record RouteDiff(
        String route,
        Status status,
        List<String> localOnly,
        List<String> remoteOnly,
        int common,
        List<AttributeChange> attributeChanges) {

    /** Which sides have the route. */
    public enum Status { LOCAL_ONLY, REMOTE_ONLY, BOTH }

    public RouteDiff {
        localOnly = List.copyOf(localOnly);
        remoteOnly = List.copyOf(remoteOnly);
        attributeChanges = List.copyOf(attributeChanges);
    }

    /** Whether the route is the same on both sides. */
    public boolean isEmpty() {
        return status == Status.BOTH && localOnly.isEmpty() && remoteOnly.isEmpty() && attributeChanges.isEmpty();
    }
}
