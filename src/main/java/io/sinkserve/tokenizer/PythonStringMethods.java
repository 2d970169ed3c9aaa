package io.sinkserve.tokenizer;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} methods that real chat templates call ({@code content.strip()},
 * {@code .split('</think>')[-1]}, ...) and negative string indexing, which Jinja2 gets from Python and
 * jinjava lacks. Consulted before jinjava's own resolvers; anything else falls through to them.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    private static Object call(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> strip(s, chars(a), true, true);
            case "lstrip" -> strip(s, chars(a), true, false);
            case "rstrip" -> strip(s, chars(a), false, true);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> a.length == 1 && s.startsWith(String.valueOf(a[0]));
            case "endswith" -> a.length == 1 && s.endsWith(String.valueOf(a[0]));
            case "replace" -> a.length >= 2 ? replace(s, String.valueOf(a[0]), String.valueOf(a[1]),
                    a.length > 2 ? ((Number) a[2]).intValue() : -1) : null;
            case "split" -> split(s, a.length > 0 && a[0] != null ? String.valueOf(a[0]) : null,
                    a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "find" -> a.length == 1 ? (Object) s.indexOf(String.valueOf(a[0])) : null;
            case "count" -> a.length == 1 ? (Object) count(s, String.valueOf(a[0])) : null;
            case "join" -> a.length == 1 && a[0] instanceof Iterable<?> items ? join(s, items) : null;
            default -> null;
        };
    }

    /** Python strips whitespace when no characters are given. */
    private static String chars(Object[] a) {
        return a.length > 0 && a[0] != null ? String.valueOf(a[0]) : null;
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    private static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.charAt(start), chars)) {
            start++;
        }
        while (right && end > start && stripped(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean previousCased = false;
        for (char c : s.toCharArray()) {
            b.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return b.toString();
    }

    private static String replace(String s, String old, String by, int count) {
        if (count < 0) {
            return s.replace(old, by);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(by);
            from = at + old.length();
        }
        return b.append(s.substring(from)).toString();
    }

    /** Python's split: on a literal separator, or on runs of whitespace when none is given. */
    private static List<String> split(String s, String sep, int max) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            for (String part : strip(s, null, true, true).split("\\s+", max < 0 ? 0 : max + 1)) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
            return out;
        }
        int from = 0;
        int at;
        while ((max < 0 || out.size() < max) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0 && !sub.isEmpty(); at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Iterable<?> items) {
        StringBuilder b = new StringBuilder();
        String between = "";
        for (Object item : items) {
            b.append(between).append(item);
            between = sep;
        }
        return b.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        Integer index = property instanceof Number n ? Integer.valueOf(n.intValue()) : parseIndex(property);
        if (base instanceof String s && index != null) {
            int i = index < 0 ? s.length() + index : index;
            if (i >= 0 && i < s.length()) {
                context.setPropertyResolved(true);
                return String.valueOf(s.charAt(i));
            }
        }
        return null;
    }

    private static Integer parseIndex(Object property) {
        try {
            return property instanceof String p ? Integer.valueOf(p) : null;
        } catch (NumberFormatException e) {
            return null; // an attribute name, not an index
        }
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // strings are immutable: nothing to set
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
