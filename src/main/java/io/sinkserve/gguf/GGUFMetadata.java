package io.sinkserve.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file. Values are Integer (u8..i32), Long (u32, i64, u64), Float,
 * Double, Boolean, String, or a List of those for arrays; the typed getters convert between widths.
 * The on-disk value type of each key is kept too, so a file can be re-written exactly.
 */
public final class GGUFMetadata {
    private final Map<String, Object> values;
    private final Map<String, GGUFValueType> types;
    private final Map<String, GGUFValueType> elementTypes;

    /** Metadata built in code: value types are inferred from the Java values (see {@link GGUFValueType#of}). */
    public GGUFMetadata(Map<String, Object> values) {
        this(values, inferTypes(values, false), inferTypes(values, true));
    }

    GGUFMetadata(Map<String, Object> values, Map<String, GGUFValueType> types, Map<String, GGUFValueType> elementTypes) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.types = Map.copyOf(types);
        this.elementTypes = Map.copyOf(elementTypes);
    }

    /** The on-disk type of the value, or null when absent. */
    public GGUFValueType valueType(String key) {
        return types.get(key);
    }

    /** The on-disk element type of an array value, or null when the key is absent or not an array. */
    public GGUFValueType elementType(String key) {
        return elementTypes.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    /** The raw value, or null when absent. */
    public Object get(String key) {
        return values.get(key);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public String getString(String key) {
        return (String) require(key, String.class);
    }

    public String getString(String key, String def) {
        return has(key) ? getString(key) : def;
    }

    public long getLong(String key) {
        return ((Number) require(key, Number.class)).longValue();
    }

    public long getLong(String key, long def) {
        return has(key) ? getLong(key) : def;
    }

    public int getInt(String key, int def) {
        return has(key) ? Math.toIntExact(getLong(key)) : def;
    }

    public float getFloat(String key, float def) {
        return has(key) ? ((Number) require(key, Number.class)).floatValue() : def;
    }

    public boolean getBool(String key, boolean def) {
        return has(key) ? (Boolean) require(key, Boolean.class) : def;
    }

    public String[] getStringArray(String key) {
        List<?> list = list(key);
        String[] out = new String[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (String) element(key, list.get(i), String.class);
        }
        return out;
    }

    public float[] getFloatArray(String key) {
        List<?> list = list(key);
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) element(key, list.get(i), Number.class)).floatValue();
        }
        return out;
    }

    public int[] getIntArray(String key) {
        List<?> list = list(key);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) ((Number) element(key, list.get(i), Number.class)).longValue();
        }
        return out;
    }

    private List<?> list(String key) {
        return (List<?>) require(key, List.class);
    }

    private Object require(String key, Class<?> type) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("GGUF metadata has no key " + key);
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("GGUF metadata " + key + " is a " + v.getClass().getSimpleName()
                    + ", expected " + type.getSimpleName());
        }
        return v;
    }

    private static Map<String, GGUFValueType> inferTypes(Map<String, Object> values, boolean elements) {
        Map<String, GGUFValueType> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!elements) {
                out.put(k, GGUFValueType.of(v));
            } else if (v instanceof List<?> list) {
                out.put(k, list.isEmpty() ? GGUFValueType.INT32 : GGUFValueType.of(list.getFirst()));
            }
        });
        return out;
    }

    private static Object element(String key, Object v, Class<?> type) {
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("GGUF metadata " + key + " holds a " + v.getClass().getSimpleName()
                    + ", expected " + type.getSimpleName() + " elements");
        }
        return v;
    }
}
