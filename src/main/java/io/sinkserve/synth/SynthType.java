package io.sinkserve.synth;

import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.FileType;

import java.util.Locale;

/**
 * The weight type of a synthetic model. The plain types put every weight matrix in that type (like
 * {@code llama-quantize --pure}); {@link #Q4_K_M} mixes Q4_K and Q6_K the way llama.cpp's Q4_K_M does.
 * Norms, biases and rope factors stay F32, as in llama.cpp.
 */
public enum SynthType {
    F32(TensorType.F32, FileType.ALL_F32),
    F16(TensorType.F16, FileType.MOSTLY_F16),
    BF16(TensorType.BF16, FileType.MOSTLY_BF16),
    Q8_0(TensorType.Q8_0, FileType.MOSTLY_Q8_0),
    Q4_0(TensorType.Q4_0, FileType.MOSTLY_Q4_0),
    // llama.cpp has no all-Q4_K file type; Q4_K_S is the nearest label.
    Q4_K(TensorType.Q4_K, FileType.MOSTLY_Q4_K_S),
    Q6_K(TensorType.Q6_K, FileType.MOSTLY_Q6_K),
    Q4_K_M(TensorType.Q4_K, FileType.MOSTLY_Q4_K_M);

    private final TensorType base;
    private final FileType fileType;

    SynthType(TensorType base, FileType fileType) {
        this.base = base;
        this.fileType = fileType;
    }

    public FileType fileType() {
        return fileType;
    }

    /** Parses "q4_k_m", "Q8_0", "bf16", ...; the error lists the choices. */
    public static SynthType parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + s + "' (known: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k, q4_k_m)");
        }
    }

    /**
     * The type of the weight matrix {@code kind} ("token_embd", "output", "attn_v", "ffn_down", ...) of
     * layer {@code layer} (-1 outside the blocks), with rows of {@code rowLength} values.
     */
    public TensorType matrixType(String kind, int layer, int layers, long rowLength, boolean tiedEmbeddings) {
        TensorType t = base;
        if (this == Q4_K_M) {
            boolean output = kind.equals("output") || (tiedEmbeddings && kind.equals("token_embd"));
            if (output) {
                // llama.cpp: the output matrix goes to Q6_K, or to Q8_0 when its rows do not fit K blocks.
                return rowLength % TensorType.Q6_K.blockSize() == 0 ? TensorType.Q6_K : TensorType.Q8_0;
            }
            if ((kind.equals("attn_v") || kind.equals("ffn_down")) && moreBits(layer, layers)) {
                t = TensorType.Q6_K;
            }
        }
        return rowLength % t.blockSize() == 0 ? t : fallback(t);
    }

    /**
     * llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between,
     * get the larger type in Q4_K_M.
     */
    static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /**
     * K-quants need rows of whole 256-value blocks. Like llama.cpp, Q6_K falls back to Q8_0; Q4_K falls back
     * to Q4_0 (llama.cpp picks Q5_0, which sinkserve does not support).
     */
    private static TensorType fallback(TensorType t) {
        return switch (t) {
            case Q4_K -> TensorType.Q4_0;
            case Q6_K -> TensorType.Q8_0;
            default -> throw new IllegalArgumentException("rows must be a multiple of " + t.blockSize() + " for " + t);
        };
    }
}
