package io.sinkserve.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hyper-parameters of a real model (from its published config), for writing synthetic GGUFs with
 * the same tensor shapes. {@code vocab} 0 takes the vocabulary file's size (the test shapes).
 * {@code llama3Rope} is the Llama 3.1+ frequency scaling, or null.
 */
public record ModelShape(String name, String arch, int dim, int layers, int heads, int kvHeads, int ffn, int vocab,
                         int contextLength, double ropeTheta, float rmsEps, boolean tiedEmbeddings, Llama3Rope llama3Rope) {

    /** {@code rope_scaling} of type llama3 in a Hugging Face config. */
    public record Llama3Rope(double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {
    }

    private static final Map<String, ModelShape> SHAPES = new LinkedHashMap<>();

    static {
        add(new ModelShape("llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, 131072, 500000, 1e-5f, true,
                new Llama3Rope(32, 1, 4, 8192)));
        add(new ModelShape("smollm2-135m", "llama", 576, 30, 9, 3, 1536, 49152, 8192, 100000, 1e-5f, true, null));
        add(new ModelShape("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 32768, 1000000, 1e-6f, true, null));
        add(new ModelShape("llama-2-7b", "llama", 4096, 32, 32, 32, 11008, 32000, 4096, 10000, 1e-5f, false, null));
        // Small shapes for tests: every tensor kind (separate output, llama3 rope factors; qwen2 biases, a width
        // that is not a multiple of 256 so K-quants fall back as llama.cpp's do).
        add(new ModelShape("tiny", "llama", 256, 2, 4, 2, 512, 0, 2048, 10000, 1e-5f, false,
                new Llama3Rope(8, 1, 4, 512)));
        add(new ModelShape("tiny-qwen2", "qwen2", 320, 2, 5, 1, 768, 0, 4096, 1000000, 1e-6f, true, null));
    }

    private static void add(ModelShape s) {
        SHAPES.put(s.name(), s);
    }

    public ModelShape {
        if (dim % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": dim must split into heads, heads into kv heads");
        }
    }

    /** The shape with this name; the error lists the known ones. */
    public static ModelShape named(String name) {
        ModelShape s = SHAPES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown shape '" + name + "' (known: " + String.join(", ", SHAPES.keySet()) + ")");
        }
        return s;
    }

    public static Iterable<String> names() {
        return SHAPES.keySet();
    }

    public int headDim() {
        return dim / heads;
    }

    /** qwen2 has biases on the q, k and v projections. */
    public boolean qkvBias() {
        return arch.equals("qwen2");
    }

    /** The same shape with the vocabulary size filled in. */
    public ModelShape withVocab(int v) {
        return new ModelShape(name, arch, dim, layers, heads, kvHeads, ffn, v, contextLength, ropeTheta, rmsEps,
                tiedEmbeddings, llama3Rope);
    }
}
