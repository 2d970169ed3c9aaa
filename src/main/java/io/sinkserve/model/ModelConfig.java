package io.sinkserve.model;

import io.sinkserve.cache.Rope;
import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.GGUFException;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.TensorInfo;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The hyper-parameters of a supported transformer, read from GGUF metadata ({@code <arch>.*} keys).
 * {@code ropeFactors} divide the rotary frequencies (llama3 scaling, linear scaling); null when unscaled.
 * {@code ropeNeox} selects the NeoX rotary layout (qwen2) instead of adjacent pairs (llama).
 */
public record ModelConfig(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocab,
                          int contextLength, float rmsEps, int ropeDim, double ropeTheta, boolean ropeNeox, float[] ropeFactors) {

    public static final List<String> SUPPORTED_ARCHITECTURES = List.of("llama", "qwen2");

    public ModelConfig {
        if (dim < 1 || layers < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || ffnDim < 1 || vocab < 1) {
            throw new IllegalArgumentException("model dimensions must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " attention heads are not a multiple of " + kvHeads + " KV heads");
        }
        if (ropeDim < 2 || ropeDim % 2 != 0 || ropeDim > headDim) {
            throw new IllegalArgumentException("rope dimension " + ropeDim + " must be even and at most the head dim " + headDim);
        }
        if (ropeFactors != null && ropeFactors.length != ropeDim / 2) {
            throw new IllegalArgumentException("need " + ropeDim / 2 + " rope frequency factors, got " + ropeFactors.length);
        }
    }

    /** Width of all query heads together. */
    public int qDim() {
        return heads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    public Rope rope() {
        return Rope.of(headDim, ropeDim, ropeTheta, ropeNeox, ropeFactors);
    }

    /** Reads the configuration of a GGUF model; unsupported architectures and rope scalings are a GGUFException. */
    public static ModelConfig from(GGUFFile file) {
        GGUFMetadata md = file.metadata();
        String arch = md.getString("general.architecture", "");
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw new GGUFException(file.path(), "architecture '" + arch + "' is not supported (supported: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES) + ")");
        }
        Keys k = new Keys(file, arch);
        int dim = k.required("embedding_length");
        int heads = k.required("attention.head_count");
        int kvHeads = k.optional("attention.head_count_kv", heads);
        int headDim = k.optional("attention.key_length", dim / heads);
        if (k.optional("attention.value_length", headDim) != headDim) {
            throw new GGUFException(file.path(), "different key and value head sizes are not supported");
        }
        int ropeDim = k.optional("rope.dimension_count", headDim);
        TensorInfo embedding = file.tensor("token_embd.weight");
        if (embedding == null || embedding.shape().length != 2) {
            throw new GGUFException(file.path(), "missing 2-D tensor token_embd.weight");
        }
        float defaultEps = arch.equals("qwen2") ? 1e-6f : 1e-5f;
        try {
            return new ModelConfig(arch, dim, k.required("block_count"), heads, kvHeads, headDim,
                    k.required("feed_forward_length"), Math.toIntExact(embedding.shape()[1]),
                    k.optional("context_length", 2048),
                    md.getFloat(arch + ".attention.layer_norm_rms_epsilon", defaultEps), ropeDim,
                    md.getFloat(arch + ".rope.freq_base", 10000f), arch.equals("qwen2"),
                    ropeFactors(file, arch, ropeDim, md.getFloat(arch + ".rope.freq_base", 10000f)));
        } catch (IllegalArgumentException e) {
            throw new GGUFException(file.path(), e.getMessage(), e);
        }
    }

    /**
     * The frequency divisors: the {@code rope_freqs.weight} tensor llama.cpp writes for Llama 3.1+, else
     * computed from {@code rope.scaling.*} keys (linear, llama3), else none.
     */
    private static float[] ropeFactors(GGUFFile file, String arch, int ropeDim, double theta) {
        TensorInfo t = file.tensor("rope_freqs.weight");
        if (t != null) {
            if (t.type() != TensorType.F32 || t.elements() != ropeDim / 2) {
                throw new GGUFException(file.path(), "rope_freqs.weight must be " + ropeDim / 2 + " F32 values, is " + t);
            }
            return file.data(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        }
        GGUFMetadata md = file.metadata();
        String p = arch + ".rope.scaling.";
        String type = md.getString(p + "type", "none");
        float factor = md.getFloat(p + "factor", 1f);
        float[] f = new float[ropeDim / 2];
        switch (type) {
            case "none" -> {
                return null;
            }
            case "linear" -> Arrays.fill(f, factor);
            case "llama3" -> {
                return llama3RopeFactors(theta, ropeDim, factor, md.getFloat(p + "low_freq_factor", 1f),
                        md.getFloat(p + "high_freq_factor", 4f), md.getFloat(p + "original_context_length", 8192f));
            }
            default -> throw new GGUFException(file.path(), "rope scaling '" + type + "' is not supported (supported: none, linear, llama3)");
        }
        return f;
    }

    /**
     * Llama 3.x frequency divisors: 1 for short wavelengths, {@code factor} for long ones, smoothly in between.
     * This is also what llama.cpp's converter stores as {@code rope_freqs.weight}.
     */
    public static float[] llama3RopeFactors(double theta, int ropeDim, double factor, double low, double high, double original) {
        float[] f = new float[ropeDim / 2];
        for (int i = 0; i < f.length; i++) {
            double freq = Math.pow(theta, -2.0 * i / ropeDim);
            double wavelength = 2 * Math.PI / freq;
            if (wavelength < original / high) {
                f[i] = 1f;
            } else if (wavelength > original / low) {
                f[i] = (float) factor;
            } else {
                double smooth = (original / wavelength - low) / (high - low);
                f[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return f;
    }

    /** Integer hyper-parameters under the architecture's prefix, with errors naming the file and key. */
    private record Keys(GGUFFile file, String arch) {
        int required(String key) {
            if (!file.metadata().has(arch + "." + key)) {
                throw new GGUFException(file.path(), "missing metadata " + arch + "." + key);
            }
            return optional(key, 0);
        }

        int optional(String key, int def) {
            Object v = file.metadata().get(arch + "." + key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof Number n) || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
                throw new GGUFException(file.path(), "metadata " + arch + "." + key + " must be a non-negative integer, is " + v);
            }
            return n.intValue();
        }
    }
}
