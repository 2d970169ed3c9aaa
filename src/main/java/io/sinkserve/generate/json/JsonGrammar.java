package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The language a constrained generation may write: any JSON object ({@code response_format:
 * json_object}) or the JSON values a schema accepts. Compiled once per request; immutable and safe to
 * share between threads.
 *
 * <p>The schema subset: {@code type} (a name or an array of names), {@code enum} and {@code const} at
 * any level, {@code anyOf}, {@code allOf} with a single schema, {@code $ref} to a local JSON pointer
 * ({@code #/$defs/...}, {@code #/definitions/...}, {@code #}; recursion works), objects with
 * {@code properties}, {@code required}, {@code additionalProperties} (false or a schema), strings with
 * {@code minLength}/{@code maxLength} (code points), integers and numbers with {@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum} (as numbers, draft 6 on),
 * arrays with {@code items}, {@code minItems}, {@code maxItems}, {@code uniqueItems: false}, and
 * boolean schemas. Annotations ({@code title}, {@code description}, {@code $schema}, {@code $id},
 * {@code $comment}, {@code default}, {@code examples}, {@code deprecated}, {@code readOnly},
 * {@code writeOnly}) change nothing. Every other keyword, {@code format} and {@code pattern} included
 * (they would be ignored, not enforced), is refused with an {@link UnsupportedSchemaException}.
 *
 * <p>What the model may write is a subset of the valid instances, chosen so that each byte can be
 * decided on its own: declared properties come in schema order (required ones must appear, optional
 * ones may be skipped); additional properties, where {@code additionalProperties} allows them, come
 * after the declared ones under names other than the declared ones; an object schema that declares
 * {@code properties} but says nothing of {@code additionalProperties} gets only its declared properties
 * (one that declares none gets any); enum and const values are written compactly as a serializer
 * writes them; numbers have at most 20 integer and 20 fraction digits (more when a bound needs them),
 * an exponent only when unbounded; whitespace runs are at most {@link ParseState#MAX_WHITESPACE}
 * bytes (and {@link JsonConstraint} allows no two whitespace-only tokens in a row where anything else fits)
 * and nesting at most {@link ParseState#MAX_FRAMES} - 1 levels.
 */
public final class JsonGrammar {
    private static final JsonGrammar ANY_OBJECT = new JsonGrammar(SchemaCompiler.anyObject());

    private final Node root;

    private JsonGrammar(Node root) {
        this.root = root;
    }

    /** Any JSON object. */
    public static JsonGrammar anyObject() {
        return ANY_OBJECT;
    }

    /** The values {@code schema} accepts, within the subset above; throws {@link UnsupportedSchemaException}. */
    public static JsonGrammar fromSchema(JsonNode schema) {
        return new JsonGrammar(SchemaCompiler.compile(schema));
    }

    ParseState initialState() {
        return ParseState.initial(root);
    }

    /** Whether {@code document} is a whole document this grammar may produce. */
    boolean accepts(byte[] document) {
        return accepts(root, document);
    }

    static boolean accepts(Node root, byte[] document) {
        ParseState state = ParseState.initial(root);
        for (byte b : document) {
            state = state.next(b & 0xFF);
            if (state == null) {
                return false;
            }
        }
        return state.isComplete();
    }
}
