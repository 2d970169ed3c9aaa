package io.sinkserve.model;

import io.sinkserve.compute.Matrix;
import io.sinkserve.compute.TensorType;

import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFWriter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random transformer held twice: as plain float arrays (for the reference) and bound as F32
 * matrices over off-heap memory (for {@link Model}), so both compute with the very same weights.
 */
final class TinyModel {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    final ModelConfig config;
    final float[][] embedding;
    final float[] outputNorm;
    final float[][] output;
    final float[][] attnNorm;
    final float[][][] wq;
    final float[][][] wk;
    final float[][][] wv;
    final float[][] bq;
    final float[][] bk;
    final float[][] bv;
    final float[][][] wo;
    final float[][] ffnNorm;
    final float[][][] gate;
    final float[][][] up;
    final float[][][] down;
    private final Random rnd;

    /** {@code qwen2}: NeoX rope and QKV biases; {@code llama}: adjacent-pair rope over part of the head, tied embeddings. */
    TinyModel(String arch, long seed) {
        this(arch, seed, 50);
    }

    TinyModel(String arch, long seed, int vocab) {
        boolean qwen = arch.equals("qwen2");
        config = new ModelConfig(arch, 32, 2, 4, 2, 8, 40, vocab, 4096, 1e-5f, qwen ? 8 : 6, 10000, qwen, null);
        rnd = new Random(seed);
        int L = config.layers();
        embedding = matrix(config.vocab(), config.dim(), 1f);
        outputNorm = norm(config.dim());
        output = qwen ? matrix(config.vocab(), config.dim(), 0.3f) : embedding;
        attnNorm = new float[L][];
        ffnNorm = new float[L][];
        wq = new float[L][][];
        wk = new float[L][][];
        wv = new float[L][][];
        bq = new float[L][];
        bk = new float[L][];
        bv = new float[L][];
        wo = new float[L][][];
        gate = new float[L][][];
        up = new float[L][][];
        down = new float[L][][];
        for (int l = 0; l < L; l++) {
            attnNorm[l] = norm(config.dim());
            ffnNorm[l] = norm(config.dim());
            wq[l] = matrix(config.qDim(), config.dim(), 0.2f);
            wk[l] = matrix(config.kvDim(), config.dim(), 0.2f);
            wv[l] = matrix(config.kvDim(), config.dim(), 0.3f);
            if (qwen) {
                bq[l] = matrix(1, config.qDim(), 0.3f)[0];
                bk[l] = matrix(1, config.kvDim(), 0.3f)[0];
                bv[l] = matrix(1, config.kvDim(), 0.3f)[0];
            }
            wo[l] = matrix(config.dim(), config.qDim(), 0.2f);
            gate[l] = matrix(config.ffnDim(), config.dim(), 0.2f);
            up[l] = matrix(config.ffnDim(), config.dim(), 0.2f);
            down[l] = matrix(config.dim(), config.ffnDim(), 0.2f);
        }
    }

    /** The model under test, on {@code threads} compute threads. */
    Model model(int threads) {
        Weights.Layer[] layers = new Weights.Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Weights.Layer(attnNorm[l], bind(wq[l]), bind(wk[l]), bind(wv[l]), bq[l], bk[l], bv[l], bind(wo[l]),
                    ffnNorm[l], bind(gate[l]), bind(up[l]), bind(down[l]));
        }
        Matrix emb = bind(embedding);
        Weights w = new Weights(emb, outputNorm, output == embedding ? emb : bind(output), layers);
        return new Model(config, w, null, null, null, threads);
    }

    /**
     * Writes the model as a GGUF file with llama.cpp's tensor names and keys, plus {@code extra} metadata
     * (e.g. a tokenizer); tied embeddings are written without output.weight.
     */
    void writeGGUF(Path path, GGUFMetadata extra) {
        GGUFWriter w = new GGUFWriter();
        w.putAll(extra);
        String a = config.arch();
        w.putString("general.architecture", a);
        w.putUInt32(a + ".embedding_length", config.dim());
        w.putUInt32(a + ".block_count", config.layers());
        w.putUInt32(a + ".feed_forward_length", config.ffnDim());
        w.putUInt32(a + ".attention.head_count", config.heads());
        w.putUInt32(a + ".attention.head_count_kv", config.kvHeads());
        w.putUInt32(a + ".rope.dimension_count", config.ropeDim());
        w.putUInt32(a + ".context_length", config.contextLength());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", config.rmsEps());
        Map<String, float[][]> tensors = new LinkedHashMap<>();
        tensors.put("token_embd.weight", embedding);
        tensors.put("output_norm.weight", new float[][] {outputNorm});
        if (output != embedding) {
            tensors.put("output.weight", output);
        }
        for (int l = 0; l < config.layers(); l++) {
            String p = "blk." + l + ".";
            tensors.put(p + "attn_norm.weight", new float[][] {attnNorm[l]});
            tensors.put(p + "attn_q.weight", wq[l]);
            tensors.put(p + "attn_k.weight", wk[l]);
            tensors.put(p + "attn_v.weight", wv[l]);
            if (bq[l] != null) {
                tensors.put(p + "attn_q.bias", new float[][] {bq[l]});
                tensors.put(p + "attn_k.bias", new float[][] {bk[l]});
                tensors.put(p + "attn_v.bias", new float[][] {bv[l]});
            }
            tensors.put(p + "attn_output.weight", wo[l]);
            tensors.put(p + "ffn_norm.weight", new float[][] {ffnNorm[l]});
            tensors.put(p + "ffn_gate.weight", gate[l]);
            tensors.put(p + "ffn_up.weight", up[l]);
            tensors.put(p + "ffn_down.weight", down[l]);
        }
        tensors.forEach((name, m) -> {
            if (m.length == 1) {
                w.addTensor(name, TensorType.F32, m[0].length);
            } else {
                w.addTensor(name, TensorType.F32, m[0].length, m.length);
            }
        });
        w.write(path, (t, first, rows, dst) -> {
            float[][] m = tensors.get(t.name());
            int cols = m[0].length;
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(m[(int) first + r], 0, dst, LE_FLOAT, (long) r * cols * 4, cols);
            }
        });
    }

    private float[][] matrix(int rows, int cols, float std) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) rnd.nextGaussian() * std;
            }
        }
        return m;
    }

    private float[] norm(int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.8f + 0.4f * rnd.nextFloat();
        }
        return w;
    }

    private static Matrix bind(float[][] m) {
        int rows = m.length;
        int cols = m[0].length;
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * cols * 4, 64);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(m[r], 0, seg, LE_FLOAT, (long) r * cols * 4, cols);
        }
        return Matrix.of(TensorType.F32, seg, rows, cols);
    }
}
