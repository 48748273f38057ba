package dev.srouter.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.AttributeChange;
import dev.srouter.core.RouteDiff;
import dev.srouter.core.SyncPlan;
import dev.srouter.engine.SyncService;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a sync, push or pull did: the result line for people, or the {@code "result"} member of the one JSON document
 * {@code -o json} prints (docs/json-output.md).
 *
 * @param status applied, nothing_to_do, dry_run, not_applied (strategy error) or cancelled
 * @param routesFile created, rewritten or unchanged
 */
record SyncReport(String status, SyncPlan plan, SyncService.Applied applied, boolean indexCreated, Path routes, String routesFile) {

    static SyncReport notApplied(String status, SyncPlan plan, Path routes) {
        return new SyncReport(status, plan, new SyncService.Applied(0, 0, 0, 0, 0), false, routes, "unchanged");
    }

    /** Routes whose route-level attributes (description, score_threshold) the apply set on the remote. */
    int remoteAttributesSet() {
        return status.equals("applied") && plan.manifestChange() ? plan.remoteAttributeUpdates().size() : 0;
    }

    /** The attribute keys that change on the remote's routes, e.g. {@code score_threshold}. */
    private Set<String> remoteAttributeKeys() {
        Set<String> keys = new LinkedHashSet<>();
        Set<String> routesSet = Set.copyOf(plan.remoteAttributeUpdates());
        for (RouteDiff d : plan.diff().routes()) {
            if (routesSet.contains(d.route())) {
                for (AttributeChange a : d.attributeChanges()) {
                    if (a.attribute() == AttributeChange.Attribute.DESCRIPTION || a.attribute() == AttributeChange.Attribute.SCORE_THRESHOLD) {
                        keys.add(a.attribute().key());
                    }
                }
            }
        }
        return keys;
    }

    String text(String indexLocation) {
        int attributes = remoteAttributesSet();
        String file = switch (routesFile) {
            case "created" -> "created";
            case "rewritten" -> "rewritten: +" + plan.localAdded() + " -" + plan.localRemoved() + " utterances, attributes set on "
                    + DiffRenderer.count(plan.localRouteUpdateCount(), "route") + " (" + routes + ".bak kept)";
            default -> "unchanged";
        };
        return String.format(Locale.ROOT, "synced %s with %s (%s): remote %d upserted (%d embedded), %d deleted, %d payloads rewritten, "
                + "attributes set on %s%s; routes file %s", routes, indexLocation, plan.strategy().cliName(), applied.upserted(),
                applied.embedded(), applied.deleted(), applied.payloadRewritten(), DiffRenderer.count(attributes, "route"),
                attributes == 0 ? "" : " (" + String.join(", ", remoteAttributeKeys()) + ")", file);
    }

    void json(ObjectNode document) {
        ObjectNode r = document.putObject("result");
        r.put("status", status);
        ObjectNode remote = r.putObject("remote");
        remote.put("created", indexCreated);
        remote.put("upserted", applied.upserted());
        remote.put("embedded", applied.embedded());
        remote.put("deleted", applied.deleted());
        remote.put("payloads_rewritten", applied.payloadRewritten());
        remote.put("attributes_set", remoteAttributesSet());
        ObjectNode file = r.putObject("routes_file");
        file.put("path", routes.toString());
        file.put("status", routesFile);
        file.put("backup", routesFile.equals("rewritten") ? routes + ".bak" : null);
    }
}
