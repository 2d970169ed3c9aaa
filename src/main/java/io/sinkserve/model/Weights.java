package io.sinkserve.model;

import io.sinkserve.compute.Matrix;
import io.sinkserve.gguf.GGUFException;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The weights of a llama-family transformer. Matrices are views over the mapped GGUF file, except the types
 * repacked at load (whose file pages are then released);
 * norm weights and biases are small float arrays. Bias arrays are null where the model has none (llama);
 * {@code output} is the token embedding when the model ties them.
 */
record Weights(Matrix tokenEmbedding, float[] outputNorm, Matrix output, Layer[] layers) {

    record Layer(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, float[] bq, float[] bk, float[] bv, Matrix wo,
                 float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {
    }

    /** Binds every tensor the config needs, checking names and shapes; problems are a GGUFException naming the tensor. */
    static Weights bind(GGUFFile file, ModelConfig c) {
        Binder b = new Binder(file);
        Matrix embedding = b.matrix("token_embd.weight", c.vocab(), c.dim());
        Matrix output = file.tensor("output.weight") != null ? b.matrix("output.weight", c.vocab(), c.dim()) : embedding;
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(
                    b.vector(p + "attn_norm.weight", c.dim()),
                    b.matrix(p + "attn_q.weight", c.qDim(), c.dim()),
                    b.matrix(p + "attn_k.weight", c.kvDim(), c.dim()),
                    b.matrix(p + "attn_v.weight", c.kvDim(), c.dim()),
                    b.optionalVector(p + "attn_q.bias", c.qDim()),
                    b.optionalVector(p + "attn_k.bias", c.kvDim()),
                    b.optionalVector(p + "attn_v.bias", c.kvDim()),
                    b.matrix(p + "attn_output.weight", c.dim(), c.qDim()),
                    b.vector(p + "ffn_norm.weight", c.dim()),
                    b.matrix(p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    b.matrix(p + "ffn_up.weight", c.ffnDim(), c.dim()),
                    b.matrix(p + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        return new Weights(embedding, b.vector("output_norm.weight", c.dim()), output, layers);
    }

    private record Binder(GGUFFile file) {
        /** A weight W[rows][cols], stored in GGUF with shape {cols, rows}. */
        Matrix matrix(String name, int rows, int cols) {
            TensorInfo t = require(name);
            if (t.shape().length != 2 || t.shape()[0] != cols || t.shape()[1] != rows) {
                throw new GGUFException(file.path(), "tensor " + name + " has shape " + Arrays.toString(t.shape())
                        + ", expected [" + cols + ", " + rows + "]");
            }
            MemorySegment data = file.data(t);
            Matrix m = Matrix.of(t.type(), data, rows, cols);
            if (!m.readsSource() && data.isMapped()) {
                // repacked at load: the file's pages, read once, need not stay in this process's memory
                data.unload();
            }
            return m;
        }

        float[] vector(String name, int n) {
            TensorInfo t = require(name);
            if (t.elements() != n) {
                throw new GGUFException(file.path(), "tensor " + name + " has " + t.elements() + " values, expected " + n);
            }
            float[] v = new float[n];
            Matrix.of(t.type(), file.data(t), 1, n).dequantizeRow(0, v, 0);
            return v;
        }

        float[] optionalVector(String name, int n) {
            return file.tensor(name) == null ? null : vector(name, n);
        }

        private TensorInfo require(String name) {
            TensorInfo t = file.tensor(name);
            if (t == null) {
                throw new GGUFException(file.path(), "missing tensor " + name);
            }
            return t;
        }
    }
}
