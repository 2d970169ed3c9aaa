package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random matrices and vectors for kernel tests, in native memory like a mapped GGUF tensor. */
final class TestMatrices {
    private TestMatrices() {
    }

    /** Gaussian values, with a few rows scaled up so blocks of very different ranges meet. */
    static float[] gaussian(Random rnd, int n, float sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian() * sigma;
        }
        return v;
    }

    /** A rows x cols matrix quantized from gaussian floats with {@link Quantizer}. */
    static MemorySegment quantized(TensorType type, Random rnd, int rows, int cols) {
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize((long) rows * cols), 64);
        long rowBytes = type.byteSize(cols);
        for (int r = 0; r < rows; r++) {
            Quantizer.quantizeRow(type, gaussian(rnd, cols, 0.05f * (1 + r % 3)), 0, cols, seg, r * rowBytes);
        }
        return seg;
    }

    /**
     * A matrix of random block bytes: every quant bit pattern is possible, only the half-precision scale
     * fields are set to finite values. Independent of the quantizer, so it checks the decoders alone.
     */
    static MemorySegment randomBlocks(TensorType type, Random rnd, int rows, int cols) {
        if (type.blockSize() == 1) {
            return quantized(type, rnd, rows, cols);
        }
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        byte[] raw = new byte[(int) bytes];
        rnd.nextBytes(raw);
        MemorySegment.copy(raw, 0, seg, ValueLayout.JAVA_BYTE, 0, raw.length);
        long blocks = bytes / type.bytesPerBlock();
        for (long b = 0; b < blocks; b++) {
            long p = b * type.bytesPerBlock();
            switch (type) {
                case Q8_0, Q4_0 -> setHalf(seg, p, rnd.nextFloat(-0.02f, 0.02f));
                case Q4_K -> {
                    setHalf(seg, p, rnd.nextFloat(0f, 0.002f));
                    setHalf(seg, p + 2, rnd.nextFloat(0f, 0.002f));
                }
                case Q6_K -> setHalf(seg, p + 208, rnd.nextFloat(-0.0005f, 0.0005f));
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return seg;
    }

    private static void setHalf(MemorySegment seg, long off, float v) {
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off, Float.floatToFloat16(v));
    }

    /** Columns that exercise every kernel path for the type: several blocks, or an odd count for plain floats. */
    static int oddCols(TensorType type) {
        return switch (type.blockSize()) {
            case 1 -> 301;
            case 32 -> 32 * 7;
            default -> 256 * 3;
        };
    }

    static float[] referenceRow(Matrix m, MemorySegment seg, int row) {
        return ScalarReference.dequantize(m.type(), seg, row * m.type().byteSize(m.cols()), m.cols());
    }

    /** Row {@code row} of a grouped matrix · x, through its group kernel. */
    static float groupDot(GroupedMatrix m, int row, QuantizedVector x) {
        float[] out = new float[m.rows];
        m.dotGroup(row / GroupedMatrix.ROWS, new QuantizedVector[] {x}, 1, new float[m.scratchLength()],
                new short[4 * GroupedMatrix.ROWS], out, 0, 0);
        return out[row];
    }
}
