package io.sinkserve.compute.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import io.sinkserve.compute.Matrix;
import io.sinkserve.compute.Quantizer;
import io.sinkserve.compute.TensorType;

/**
 * Benchmark weights: one random matrix quantized once, copied into enough places that the ring of copies
 * is far larger than the 32 MiB L3, so every matvec streams its weights from memory as in a real model.
 */
final class Weights {
    static final long RING_BYTES = 256L << 20;

    final Matrix[] ring;
    final long bytesPerMatrix;

    Weights(Arena arena, TensorType type, int rows, int cols, boolean defeatCache) {
        bytesPerMatrix = type.byteSize((long) rows * cols);
        MemorySegment first = arena.allocate(bytesPerMatrix, 64);
        Random rnd = new Random(42);
        float[] row = new float[cols];
        long rowBytes = type.byteSize(cols);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) rnd.nextGaussian() * 0.02f;
            }
            Quantizer.quantizeRow(type, row, 0, cols, first, r * rowBytes);
        }
        int copies = defeatCache ? (int) Math.max(2, (RING_BYTES + bytesPerMatrix - 1) / bytesPerMatrix) : 1;
        ring = new Matrix[copies];
        ring[0] = Matrix.of(type, first, rows, cols);
        for (int c = 1; c < copies; c++) {
            MemorySegment copy = arena.allocate(bytesPerMatrix, 64);
            copy.copyFrom(first);
            ring[c] = Matrix.of(type, copy, rows, cols);
        }
    }

    static int[] shape(String rowsByCols) {
        String[] p = rowsByCols.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    static float[] activations(int n) {
        Random rnd = new Random(7);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
