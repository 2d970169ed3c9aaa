package io.sinkserve.generate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the JSON Schema subset real clients send into a {@link Node} graph. See {@link JsonGrammar}
 * for the subset and the choices it makes; every keyword outside it is refused.
 */
final class SchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keywords that describe a schema without constraining its instances. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> CONSTRAINTS = Set.of("type", "enum", "const", "anyOf", "allOf", "$ref",
            "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
            "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "uniqueItems");
    private static final List<String> ALL_TYPES = List.of("object", "array", "string", "number", "boolean", "null");

    private final JsonNode document;
    private final Map<String, Ref> refs = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private Ref any;

    /** Enum/const candidates to test against the rest of their schema once the graph is complete. */
    private record Filter(LiteralSet set, Node rest) {
    }

    private SchemaCompiler(JsonNode document) {
        this.document = document;
    }

    static Node compile(JsonNode schema) {
        SchemaCompiler compiler = new SchemaCompiler(schema);
        Node root = compiler.node(schema, "");
        compiler.finish();
        if (root.minFrames() + 1 > ParseState.MAX_FRAMES) {
            throw new UnsupportedSchemaException(null, "", "no JSON value satisfies this schema (or none nests within "
                    + (ParseState.MAX_FRAMES - 1) + " levels)");
        }
        return root;
    }

    /** The grammar of {@code response_format: json_object}: any JSON object. */
    static Node anyObject() {
        SchemaCompiler compiler = new SchemaCompiler(null);
        Node root = compiler.register(new ObjectShape(List.of(), compiler.any()));
        compiler.finish();
        return root;
    }

    private <T extends Node> T register(T node) {
        nodes.add(node);
        return node;
    }

    /** Any JSON value: one shared recursive node per grammar. */
    private Node any() {
        if (any == null) {
            any = register(new Ref());
            any.resolve(register(new Union(List.of(
                    register(new ObjectShape(List.of(), any)),
                    register(new ArrayShape(any, 0, ArrayShape.UNBOUNDED)),
                    register(new StringShape(0, StringShape.UNBOUNDED)),
                    register(NumberShape.of(false, null, false, null, false)),
                    register(new LiteralSet(List.of("true", "false", "null")))))));
        }
        return any;
    }

    private Node node(JsonNode schema, String pointer) {
        if (schema.isBoolean()) {
            return schema.booleanValue() ? any() : register(new LiteralSet(List.of()));
        }
        if (!schema.isObject()) {
            throw new UnsupportedSchemaException("type", pointer, "a schema must be an object or a boolean");
        }
        Set<String> constraints = new LinkedHashSet<>();
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (CONSTRAINTS.contains(name)) {
                constraints.add(name);
            } else if (!ANNOTATIONS.contains(name)) {
                throw new UnsupportedSchemaException(name, pointer, reasonFor(name));
            }
        }
        if (schema.has("uniqueItems")) {
            if (!schema.get("uniqueItems").isBoolean() || schema.get("uniqueItems").booleanValue()) {
                throw new UnsupportedSchemaException("uniqueItems", pointer, "only uniqueItems: false is supported");
            }
            constraints.remove("uniqueItems");
        }
        for (String combinator : List.of("$ref", "anyOf", "allOf")) {
            if (constraints.contains(combinator)) {
                if (constraints.size() > 1) {
                    String other = constraints.stream().filter(k -> !k.equals(combinator)).findFirst().orElseThrow();
                    throw new UnsupportedSchemaException(other, pointer, "cannot be combined with '" + combinator
                            + "' in one schema (only annotations can)");
                }
                return switch (combinator) {
                    case "$ref" -> reference(schema.get("$ref"), pointer);
                    case "anyOf" -> anyOf(schema.get("anyOf"), pointer);
                    default -> allOf(schema.get("allOf"), pointer);
                };
            }
        }
        Node typed = typed(schema, pointer);
        if (schema.has("enum") || schema.has("const")) {
            LiteralSet literals = register(new LiteralSet(literals(schema, pointer)));
            filters.add(new Filter(literals, typed));
            return literals;
        }
        return typed;
    }

    private static String reasonFor(String keyword) {
        return switch (keyword) {
            case "format" -> "string formats are not enforced by constrained decoding";
            case "pattern", "patternProperties" -> "regular expressions are not supported";
            case "oneOf" -> "oneOf is not supported (anyOf is)";
            default -> "not supported";
        };
    }

    private Node reference(JsonNode ref, String pointer) {
        if (!ref.isTextual() || !ref.textValue().startsWith("#")) {
            throw new UnsupportedSchemaException("$ref", pointer, "only local references ('#/$defs/...') are supported");
        }
        String target = ref.textValue().substring(1);
        Ref existing = refs.get(target);
        if (existing != null) {
            return existing;
        }
        JsonNode resolved;
        try {
            resolved = document.at(JsonPointer.compile(target));
        } catch (IllegalArgumentException e) {
            throw new UnsupportedSchemaException("$ref", pointer, "'" + ref.textValue() + "' is not a JSON pointer");
        }
        if (resolved.isMissingNode()) {
            throw new UnsupportedSchemaException("$ref", pointer, "'" + ref.textValue() + "' points at nothing");
        }
        Ref node = register(new Ref());
        refs.put(target, node);
        node.resolve(node(resolved, target));
        return node;
    }

    private Node anyOf(JsonNode alternatives, String pointer) {
        if (!alternatives.isArray() || alternatives.isEmpty()) {
            throw new UnsupportedSchemaException("anyOf", pointer, "must be a non-empty array of schemas");
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < alternatives.size(); i++) {
            nodes.add(node(alternatives.get(i), pointer + "/anyOf/" + i));
        }
        return register(new Union(nodes));
    }

    /** allOf with one schema (as Pydantic writes a described $ref) is that schema; intersections are refused. */
    private Node allOf(JsonNode schemas, String pointer) {
        if (!schemas.isArray() || schemas.size() != 1) {
            throw new UnsupportedSchemaException("allOf", pointer, "only allOf with a single schema is supported");
        }
        return node(schemas.get(0), pointer + "/allOf/0");
    }

    /** The union of one node per allowed type, each carrying the keywords that apply to its type. */
    private Node typed(JsonNode schema, String pointer) {
        List<String> types = types(schema, pointer);
        List<Node> alternatives = new ArrayList<>();
        for (String type : types) {
            alternatives.add(switch (type) {
                case "object" -> object(schema, pointer);
                case "array" -> array(schema, pointer);
                case "string" -> register(new StringShape(count(schema, "minLength", 0, pointer),
                        count(schema, "maxLength", StringShape.UNBOUNDED, pointer)));
                case "number", "integer" -> number(schema, type.equals("integer"), pointer);
                case "boolean" -> register(new LiteralSet(List.of("true", "false")));
                default -> register(new LiteralSet(List.of("null")));
            });
        }
        return alternatives.size() == 1 ? alternatives.get(0) : register(new Union(alternatives));
    }

    private static List<String> types(JsonNode schema, String pointer) {
        JsonNode type = schema.get("type");
        if (type == null) {
            return ALL_TYPES;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode t : type.isArray() ? type : List.of(type)) {
            if (!t.isTextual() || !(ALL_TYPES.contains(t.textValue()) || t.textValue().equals("integer"))) {
                throw new UnsupportedSchemaException("type", pointer, "unknown type " + t);
            }
            names.add(t.textValue());
        }
        if (names.isEmpty()) {
            throw new UnsupportedSchemaException("type", pointer, "an empty type array admits nothing");
        }
        if (names.contains("number")) {
            names.remove("integer"); // number already covers integers
        }
        return names.stream().distinct().toList();
    }

    private Node object(JsonNode schema, String pointer) {
        JsonNode declared = schema.path("properties");
        if (!declared.isMissingNode() && !declared.isObject()) {
            throw new UnsupportedSchemaException("properties", pointer, "must be an object of schemas");
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode requiredNode = schema.path("required");
        if (!requiredNode.isMissingNode()) {
            if (!requiredNode.isArray()) {
                throw new UnsupportedSchemaException("required", pointer, "must be an array of property names");
            }
            for (JsonNode name : requiredNode) {
                if (!name.isTextual()) {
                    throw new UnsupportedSchemaException("required", pointer, "must be an array of property names");
                }
                required.add(name.textValue());
            }
        }
        JsonNode extra = schema.get("additionalProperties");
        Node additional;
        if (extra == null) {
            additional = declared.isMissingNode() ? any() : null; // see JsonGrammar: declared properties only
        } else if (extra.isBoolean() && !extra.booleanValue()) {
            additional = null;
        } else {
            additional = node(extra, pointer + "/additionalProperties");
        }
        List<Property> properties = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Node value = node(e.getValue(), pointer + "/properties/" + escape(e.getKey()));
            properties.add(new Property(e.getKey(), key(e.getKey()), value, required.contains(e.getKey())));
        }
        for (String name : required) {
            if (!declared.has(name)) {
                // a required name that only additionalProperties describes
                Node value = additional != null ? additional : register(new LiteralSet(List.of()));
                properties.add(new Property(name, key(name), value, true));
            }
        }
        return register(new ObjectShape(properties, additional));
    }

    private Node array(JsonNode schema, String pointer) {
        JsonNode items = schema.get("items");
        if (items != null && !items.isObject() && !items.isBoolean()) {
            throw new UnsupportedSchemaException("items", pointer, "must be a schema (tuple forms are not supported)");
        }
        Node item = items == null ? any() : node(items, pointer + "/items");
        return register(new ArrayShape(item, count(schema, "minItems", 0, pointer),
                count(schema, "maxItems", ArrayShape.UNBOUNDED, pointer)));
    }

    private Node number(JsonNode schema, boolean integer, String pointer) {
        BigDecimal lower = decimal(schema, "minimum", pointer);
        BigDecimal upper = decimal(schema, "maximum", pointer);
        BigDecimal exclusiveLower = decimal(schema, "exclusiveMinimum", pointer);
        BigDecimal exclusiveUpper = decimal(schema, "exclusiveMaximum", pointer);
        // of two lower bounds the higher one binds (the exclusive one on a tie), likewise for upper
        boolean lowerExclusive = exclusiveLower != null && (lower == null || exclusiveLower.compareTo(lower) >= 0);
        boolean upperExclusive = exclusiveUpper != null && (upper == null || exclusiveUpper.compareTo(upper) <= 0);
        return register(NumberShape.of(integer, lowerExclusive ? exclusiveLower : lower, lowerExclusive,
                upperExclusive ? exclusiveUpper : upper, upperExclusive));
    }

    private static BigDecimal decimal(JsonNode schema, String keyword, String pointer) {
        JsonNode v = schema.get(keyword);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new UnsupportedSchemaException(keyword, pointer, "must be a number (draft 4's boolean form is not supported)");
        }
        return v.decimalValue();
    }

    private static int count(JsonNode schema, String keyword, int absent, String pointer) {
        JsonNode v = schema.get(keyword);
        if (v == null) {
            return absent;
        }
        if (!v.canConvertToExactIntegral() || v.asLong() < 0) {
            throw new UnsupportedSchemaException(keyword, pointer, "must be a non-negative integer");
        }
        return (int) Math.min(v.asLong(), Integer.MAX_VALUE - 1);
    }

    private static List<String> literals(JsonNode schema, String pointer) {
        List<String> values = new ArrayList<>();
        JsonNode en = schema.get("enum");
        if (en != null) {
            if (!en.isArray()) {
                throw new UnsupportedSchemaException("enum", pointer, "must be an array");
            }
            for (JsonNode v : en) {
                values.add(serialize(v));
            }
        }
        JsonNode constant = schema.get("const");
        if (constant != null) {
            String c = serialize(constant);
            if (en != null && !values.contains(c)) {
                return List.of();
            }
            return List.of(c);
        }
        return values.stream().distinct().toList();
    }

    private static String serialize(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] key(String name) {
        return serialize(JSON.getNodeFactory().textNode(name)).getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /**
     * Checks references, keeps only the enum values their schema's other keywords accept, and computes
     * every node's {@link Node#minFrames()}.
     */
    private void finish() {
        rejectDirectCycles();
        computeMinFrames();
        for (Filter f : filters) {
            List<String> kept = new ArrayList<>();
            for (String value : f.set().values()) {
                if (JsonGrammar.accepts(f.rest(), value.getBytes(StandardCharsets.UTF_8))) {
                    kept.add(value);
                }
            }
            f.set().restrictTo(kept);
        }
        computeMinFrames();
    }

    /** A cycle of references and unions with no object or array between would make the parser recurse forever. */
    private void rejectDirectCycles() {
        Set<Node> done = new HashSet<>();
        for (Node n : nodes) {
            visit(n, new HashSet<>(), done);
        }
    }

    private void visit(Node n, Set<Node> path, Set<Node> done) {
        if (done.contains(n)) {
            return;
        }
        if (!path.add(n)) {
            throw new UnsupportedSchemaException("$ref", "", "a reference cycle that never enters an object or array");
        }
        if (n instanceof Ref r) {
            visit(r.target(), path, done);
        } else if (n instanceof Union u) {
            for (Node a : u.alternatives()) {
                visit(a, path, done);
            }
        }
        path.remove(n);
        done.add(n);
    }

    /** Least fixpoint from "unreachable": a node's value only drops, so this terminates. */
    private void computeMinFrames() {
        for (Node n : nodes) {
            n.minFrames(Node.UNREACHABLE);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node n : nodes) {
                int v = Math.min(Node.UNREACHABLE, n.computeMinFrames());
                if (v < n.minFrames()) {
                    n.minFrames(v);
                    changed = true;
                }
            }
        }
    }
}
