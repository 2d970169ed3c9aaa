package io.sinkserve.gguf;

/**
 * llama.cpp's {@code general.file_type} values (its {@code llama_ftype}): the dominant weight type of a
 * model file, informational only (readers go by each tensor's own type).
 */
public enum FileType {
    ALL_F32(0), MOSTLY_F16(1), MOSTLY_Q4_0(2), MOSTLY_Q4_1(3), MOSTLY_Q8_0(7), MOSTLY_Q5_0(8), MOSTLY_Q5_1(9),
    MOSTLY_Q2_K(10), MOSTLY_Q3_K_S(11), MOSTLY_Q3_K_M(12), MOSTLY_Q3_K_L(13), MOSTLY_Q4_K_S(14), MOSTLY_Q4_K_M(15),
    MOSTLY_Q5_K_S(16), MOSTLY_Q5_K_M(17), MOSTLY_Q6_K(18), MOSTLY_BF16(32);

    public static final String KEY = "general.file_type";

    private final int id;

    FileType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The name for an id, e.g. "MOSTLY_Q4_K_M (15)", or "id N" for one this list lacks. */
    public static String describe(long id) {
        for (FileType t : values()) {
            if (t.id == id) {
                return t.name() + " (" + id + ")";
            }
        }
        return "id " + id;
    }
}
