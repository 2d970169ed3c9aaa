package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Random;

/** Random JSON values for the syntax tests: every type, nesting, escapes and non-ASCII text. */
final class RandomJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String CHARS = "abcXYZ09 \"\\/\n\t\u0001é中😀";

    private RandomJson() {
    }

    static JsonNode value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 8 : 6);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt() >> random.nextInt(32));
            case 3 -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(10) - 5));
            case 4, 5 -> NODES.textNode(text(random));
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(value(random, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(text(random), value(random, depth - 1));
                }
                yield o;
            }
        };
    }

    private static String text(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            sb.appendCodePoint(CHARS.codePointAt(CHARS.offsetByCodePoints(0, random.nextInt(CHARS.codePointCount(0, CHARS.length())))));
        }
        return sb.toString();
    }
}
