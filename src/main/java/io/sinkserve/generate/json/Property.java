package io.sinkserve.generate.json;

import java.nio.charset.StandardCharsets;

/**
 * A declared object property: its name, the name as the document writes it ({@code key}: the JSON
 * string with its quotes, escaped as a serializer writes it), its value node and whether it is required.
 */
record Property(String name, byte[] key, Node value, boolean required) {

    /** The name's UTF-8 bytes, as an unescaped key spells it. */
    byte[] nameBytes() {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
