package dev.srouter.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** PLACEHOLDER reader/writer for the routes YAML; to be replaced by the validating implementation. */
public final class RoutesFile {
    private RoutesFile() {}

    public static RouteSet read(Path path) {
        if (!Files.exists(path)) {
            throw new RoutesFileException(path, 0, 0, "no such file");
        }
        try {
            return parse(Files.readString(path), path);
        } catch (IOException e) {
            throw new RoutesFileException(path, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    public static RouteSet parse(String yaml, Path file) {
        Map<String, Object> doc = new Yaml().load(yaml);
        List<Route> routes = new ArrayList<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) doc.get("routes")) {
            Object t = r.get("score_threshold");
            routes.add(new Route((String) r.get("name"), (List<String>) r.get("utterances"), (String) r.get("description"),
                    t == null ? null : ((Number) t).doubleValue(), (Map<String, Object>) r.get("metadata"), null));
        }
        return new RouteSet((String) doc.get("encoder_type"), (String) doc.get("encoder_name"), routes);
    }
}
