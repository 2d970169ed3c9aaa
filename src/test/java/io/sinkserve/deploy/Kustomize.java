package io.sinkserve.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders a kustomization the way {@code kustomize build} does for the features k8s/ uses (resources,
 * labels, namespace, images, JSON6902 patches with a target), asserting on the way that every path
 * exists and every patch hits exactly one object and existing fields. Enough to validate offline.
 */
final class Kustomize {
    static final YAMLMapper YAML = new YAMLMapper();

    private Kustomize() {
    }

    /** Every document of a (multi-document) YAML file. */
    static List<ObjectNode> readAll(Path file) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(ObjectNode.class).<ObjectNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    static List<ObjectNode> render(Path dir) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        assertTrue(Files.isRegularFile(file), "no kustomization.yaml in " + dir);
        JsonNode k = YAML.readTree(file.toFile());
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            assertTrue(Files.exists(p), file + ": resource " + r.asText() + " does not exist");
            objects.addAll(Files.isDirectory(p) ? render(p) : readAll(p));
        }
        for (JsonNode set : k.path("labels")) {
            set.path("pairs").properties().forEach(e -> objects.forEach(o ->
                    o.withObject("/metadata").withObject("/labels").set(e.getKey(), e.getValue())));
        }
        if (k.hasNonNull("namespace")) {
            objects.forEach(o -> o.withObject("/metadata").put("namespace", k.get("namespace").asText()));
        }
        for (JsonNode image : k.path("images")) {
            objects.forEach(o -> setImage(o, image));
        }
        for (JsonNode patch : k.path("patches")) {
            Path p = dir.resolve(patch.path("path").asText());
            assertTrue(Files.isRegularFile(p), file + ": patch " + p + " does not exist");
            ObjectNode target = only(objects, patch.path("target").path("kind").asText(), patch.path("target").path("name").asText(), file);
            JsonNode ops = YAML.readTree(p.toFile());
            assertTrue(ops.isArray(), p + " must be a JSON6902 patch (a list of operations)");
            for (JsonNode op : ops) {
                apply(target, op, p);
            }
        }
        return objects;
    }

    static ObjectNode only(List<ObjectNode> objects, String kind, String name, Object where) {
        List<ObjectNode> hits = objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .toList();
        assertEquals(1, hits.size(), where + ": expected exactly one " + kind + "/" + name + ", found " + hits.size());
        return hits.getFirst();
    }

    private static void setImage(ObjectNode o, JsonNode image) {
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : o.at("/spec/template/spec/" + list)) {
                String current = c.path("image").asText();
                String name = current.contains(":") ? current.substring(0, current.indexOf(':')) : current;
                if (name.equals(image.path("name").asText())) {
                    String newName = image.path("newName").asText(name);
                    ((ObjectNode) c).put("image", image.has("newTag") ? newName + ":" + image.get("newTag").asText() : newName);
                }
            }
        }
    }

    private static void apply(ObjectNode target, JsonNode op, Path patch) {
        String path = op.path("path").asText();
        int cut = path.lastIndexOf('/');
        JsonNode parent = cut == 0 ? target : target.at(path.substring(0, cut));
        String key = path.substring(cut + 1);
        String kind = op.path("op").asText();
        if (parent.isMissingNode()) {
            fail(patch + ": " + kind + " " + path + ": the parent does not exist in " + target.path("metadata").path("name").asText());
        }
        switch (kind) {
            case "replace", "remove" -> {
                assertNotNull(parent.isArray() ? parent.get(Integer.parseInt(key)) : parent.get(key),
                        patch + ": " + kind + " " + path + ": no such field");
                if (kind.equals("remove")) {
                    remove(parent, key);
                } else {
                    set(parent, key, op.get("value"));
                }
            }
            case "add" -> set(parent, key, op.get("value"));
            default -> fail(patch + ": unsupported op " + kind);
        }
    }

    private static void set(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ObjectNode obj) {
            obj.set(key, value);
        } else if (key.equals("-")) {
            ((ArrayNode) parent).add(value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(key), value);
        }
    }

    private static void remove(JsonNode parent, String key) {
        if (parent instanceof ObjectNode obj) {
            obj.remove(key);
        } else {
            ((ArrayNode) parent).remove(Integer.parseInt(key));
        }
    }
}
