package io.sinkserve.gguf;

/** Metadata value types of the GGUF format, with their on-disk ids and fixed sizes (0 = variable). */
public enum GGUFValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, 0), ARRAY(9, 0), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int size;

    GGUFValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    public int id() {
        return id;
    }

    /** Bytes one value takes on disk, or 0 for strings and arrays. */
    public int size() {
        return size;
    }

    /**
     * The type a Java value is written as when no type was given: Integer i32, Long i64, Float f32,
     * Double f64, Boolean bool, String string, List array.
     */
    public static GGUFValueType of(Object value) {
        return switch (value) {
            case Integer _ -> INT32;
            case Long _ -> INT64;
            case Float _ -> FLOAT32;
            case Double _ -> FLOAT64;
            case Boolean _ -> BOOL;
            case String _ -> STRING;
            case java.util.List<?> _ -> ARRAY;
            case null, default -> throw new IllegalArgumentException("no GGUF value type for " + value);
        };
    }

    /** The type with this id, or null for an id the format does not define. */
    public static GGUFValueType byId(long id) {
        for (GGUFValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
