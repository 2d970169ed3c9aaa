package io.sinkserve.synth;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.Quantizer;
import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.FileType;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFValueType;
import io.sinkserve.gguf.GGUFWriter;
import io.sinkserve.gguf.TensorInfo;
import io.sinkserve.gguf.TensorSource;
import io.sinkserve.model.ModelConfig;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a GGUF with a real model's shapes and seeded random weights, for speed work: the metadata
 * llama.cpp's converter writes for the architecture, the tokenizer of a vocabulary file, and weights
 * of standard deviation 0.02 (residual projections scaled down by sqrt(2 x layers), norms 1), so
 * activations stay finite. The same seed gives the same file. Random weights say nothing about a
 * model's quality.
 */
public final class Synthesizer {
    private static final float STD = 0.02f;
    /** Rows quantised per parallel task: enough work to amortise the hand-off. */
    private static final int ROW_GRAIN = 16;

    private final ModelShape shape;
    private final SynthType type;
    private final long seed;
    private final GGUFWriter writer = new GGUFWriter();
    private final Map<String, WeightInit> inits = new HashMap<>();

    /** {@code vocab}: metadata of a GGUF with a tokenizer; {@code vocabSource} names it in the output. */
    public Synthesizer(ModelShape shape, SynthType type, GGUFMetadata vocab, String vocabSource, long seed) {
        int sourceSize = SynthVocab.size(vocab);
        this.shape = shape.vocab() == 0 ? shape.withVocab(sourceSize) : shape;
        this.type = type;
        this.seed = seed;
        metadata(vocab, vocabSource, sourceSize);
        tensors();
    }

    public ModelShape shape() {
        return shape;
    }

    /** The file to be written: metadata, tensor index and expected size. */
    public GGUFWriter writer() {
        return writer;
    }

    /** Generates, quantises (rows spread over {@code pool}) and writes the model. */
    public void write(Path out, ComputePool pool) {
        int maxRow = 1;
        for (TensorInfo t : writer.tensors()) {
            maxRow = Math.max(maxRow, Math.toIntExact(t.shape()[0]));
        }
        float[][] rowBuffers = new float[pool.threads()][maxRow];
        writer.write(out, (t, firstRow, rows, dst) -> fill(t, firstRow, rows, dst, pool, rowBuffers));
    }

    private void fill(TensorInfo t, long firstRow, long rows, MemorySegment dst, ComputePool pool, float[][] buffers) {
        WeightInit init = inits.get(t.name());
        int cols = (int) t.shape()[0];
        long rowBytes = t.rowBytes();
        pool.run(Math.toIntExact(rows), ROW_GRAIN, (from, to, worker) -> {
            float[] row = buffers[worker];
            for (int r = from; r < to; r++) {
                init.fill(row, cols, seed, t.name(), firstRow + r);
                Quantizer.quantizeRow(t.type(), row, 0, cols, dst, r * rowBytes);
            }
        });
    }

    private void metadata(GGUFMetadata vocab, String vocabSource, int sourceSize) {
        String a = shape.arch() + ".";
        writer.putString("general.architecture", shape.arch())
                .putString("general.type", "model")
                .putString("general.name", "synthetic " + shape.name() + " " + type.name().toLowerCase(Locale.ROOT))
                .putString("general.description", "Seeded random weights with the shapes of " + shape.name()
                        + ", for speed measurements only: not a trained model.")
                .putUInt32(FileType.KEY, type.fileType().id());
        if (type != SynthType.F32 && type != SynthType.F16 && type != SynthType.BF16) {
            writer.putUInt32("general.quantization_version", 2);
        }
        writer.putUInt32(a + "vocab_size", shape.vocab())
                .putUInt32(a + "context_length", shape.contextLength())
                .putUInt32(a + "embedding_length", shape.dim())
                .putUInt32(a + "block_count", shape.layers())
                .putUInt32(a + "feed_forward_length", shape.ffn())
                .putUInt32(a + "attention.head_count", shape.heads())
                .putUInt32(a + "attention.head_count_kv", shape.kvHeads())
                .putUInt32(a + "attention.key_length", shape.headDim())
                .putUInt32(a + "attention.value_length", shape.headDim())
                .putUInt32(a + "rope.dimension_count", shape.headDim())
                .putFloat32(a + "rope.freq_base", (float) shape.ropeTheta())
                .putFloat32(a + "attention.layer_norm_rms_epsilon", shape.rmsEps());
        SynthVocab.copy(vocab, shape.vocab(), writer);
        writer.put("synth.seed", GGUFValueType.UINT64, seed)
                .putString("synth.shape", shape.name())
                .putString("synth.vocab.source", vocabSource)
                .putUInt32("synth.vocab.source_size", sourceSize);
        if (sourceSize != shape.vocab()) {
            writer.putString("synth.vocab.fitted", sourceSize < shape.vocab()
                    ? "padded from " + sourceSize + " with unused [PADi] tokens"
                    : "trimmed from " + sourceSize + " tokens");
        }
    }

    private void tensors() {
        int dim = shape.dim();
        int qDim = shape.heads() * shape.headDim();
        int kvDim = shape.kvHeads() * shape.headDim();
        float residualStd = (float) (STD / Math.sqrt(2.0 * shape.layers()));
        matrix("token_embd.weight", "token_embd", -1, dim, shape.vocab(), STD);
        if (shape.llama3Rope() != null) {
            // llama.cpp reads Llama 3.1+ rope scaling only from this tensor (its converter writes it).
            ModelShape.Llama3Rope r = shape.llama3Rope();
            vector("rope_freqs.weight", shape.headDim() / 2, new WeightInit.Values(ModelConfig.llama3RopeFactors(
                    shape.ropeTheta(), shape.headDim(), r.factor(), r.lowFreqFactor(), r.highFreqFactor(),
                    r.originalContextLength())));
        }
        for (int l = 0; l < shape.layers(); l++) {
            String b = "blk." + l + ".";
            vector(b + "attn_norm.weight", dim, new WeightInit.Constant(1f));
            projection(b, "attn_q", l, dim, qDim, STD);
            projection(b, "attn_k", l, dim, kvDim, STD);
            projection(b, "attn_v", l, dim, kvDim, STD);
            matrix(b + "attn_output.weight", "attn_output", l, qDim, dim, residualStd);
            vector(b + "ffn_norm.weight", dim, new WeightInit.Constant(1f));
            matrix(b + "ffn_gate.weight", "ffn_gate", l, dim, shape.ffn(), STD);
            matrix(b + "ffn_up.weight", "ffn_up", l, dim, shape.ffn(), STD);
            matrix(b + "ffn_down.weight", "ffn_down", l, shape.ffn(), dim, residualStd);
        }
        vector("output_norm.weight", dim, new WeightInit.Constant(1f));
        if (!shape.tiedEmbeddings()) {
            matrix("output.weight", "output", -1, dim, shape.vocab(), STD);
        }
    }

    /** A q/k/v projection, with its bias where the architecture has one. */
    private void projection(String block, String kind, int layer, int in, int out, float std) {
        matrix(block + kind + ".weight", kind, layer, in, out, std);
        if (shape.qkvBias()) {
            vector(block + kind + ".bias", out, new WeightInit.Normal(std));
        }
    }

    /** A weight W[out][in]: ggml shape {in, out}, in the type the file type gives this matrix. */
    private void matrix(String name, String kind, int layer, int in, int out, float std) {
        TensorType t = type.matrixType(kind, layer, shape.layers(), in, shape.tiedEmbeddings());
        writer.addTensor(name, t, in, out);
        inits.put(name, new WeightInit.Normal(std));
    }

    private void vector(String name, int n, WeightInit init) {
        writer.addTensor(name, TensorType.F32, n);
        inits.put(name, init);
    }
}
