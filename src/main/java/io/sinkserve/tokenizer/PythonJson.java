package io.sinkserve.tokenizer;

import java.util.Map;

/**
 * {@code json.dumps(x, ensure_ascii=False, indent=indent)} as the Hugging Face {@code tojson} filter
 * calls it: ", " and ": " separators on one line, "," and ": " with an indent, non-ASCII kept.
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(Object value, int indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, int indent, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean || v instanceof Number) {
            out.append(v);
        } else if (v instanceof Map<?, ?> map) {
            container(out, '{', '}', map.entrySet(), indent, depth, (e, d) -> {
                string(out, String.valueOf(((Map.Entry<?, ?>) e).getKey()));
                out.append(": ");
                write(out, ((Map.Entry<?, ?>) e).getValue(), indent, d);
            });
        } else if (v instanceof Iterable<?> list) {
            container(out, '[', ']', list, indent, depth, (e, d) -> write(out, e, indent, d));
        } else if (v instanceof Object[] array) {
            container(out, '[', ']', java.util.Arrays.asList(array), indent, depth, (e, d) -> write(out, e, indent, d));
        } else {
            string(out, v.toString());
        }
    }

    private interface Element {
        void write(Object element, int depth);
    }

    private static void container(StringBuilder out, char open, char close, Iterable<?> items, int indent, int depth, Element each) {
        out.append(open);
        boolean first = true;
        for (Object item : items) {
            out.append(first ? "" : indent > 0 ? "," : ", ");
            if (indent > 0) {
                out.append('\n').append(" ".repeat(indent * (depth + 1)));
            }
            each.write(item, depth + 1);
            first = false;
        }
        if (indent > 0 && !first) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
        out.append(close);
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
