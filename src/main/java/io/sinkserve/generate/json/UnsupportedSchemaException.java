package io.sinkserve.generate.json;

/**
 * A JSON Schema that cannot be compiled into a token mask: a keyword outside the supported subset, a
 * keyword with a malformed value, or a schema no JSON value we can generate satisfies. The message
 * names the keyword and the JSON pointer of the schema that carries it.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {
    private final String keyword;
    private final String pointer;

    UnsupportedSchemaException(String keyword, String pointer, String reason) {
        super((keyword == null ? "schema" : "schema keyword '" + keyword + "'") + " at '#" + pointer + "': " + reason);
        this.keyword = keyword;
        this.pointer = pointer;
    }

    /** The offending keyword, e.g. {@code pattern}; null when no single keyword is at fault (the schema admits no value). */
    public String keyword() {
        return keyword;
    }

    /** JSON pointer (RFC 6901) of the schema object holding the keyword; empty for the root. */
    public String pointer() {
        return pointer;
    }
}
