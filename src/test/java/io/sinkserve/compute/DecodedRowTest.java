package io.sinkserve.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row decoded once for a batch must dot a quantised activation to the same value as the type's own
 * per-token kernel: both multiply the same integer quants, so they may differ only in float rounding,
 * far below the activation-quantisation tolerance that MatMulTest allows against the float reference.
 */
class DecodedRowTest {

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q4_0", "Q8_0", "Q4_K"})
    void decodedRowDotsLikeTheTypesOwnKernel(TensorType type) {
        Random rnd = new Random(7 + type.ordinal());
        int rows = 5;
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        QuantizedMatrix m = (QuantizedMatrix) Matrix.of(type, seg, rows, cols);
        DecodedRow decoded = new DecodedRow();
        float[] scratch = new float[cols / 16];
        for (int token = 0; token < 3; token++) {
            float[] x = TestMatrices.gaussian(rnd, cols, 1f);
            QuantizedVector qx = new QuantizedVector();
            qx.quantize(x, 0, cols);
            for (int r = 0; r < rows; r++) {
                ((BlockScaledRows) m).decodeRow(r, decoded);
                float expected = m.dot(r, qx, scratch);
                double tol = 1e-5 * ScalarReference.absDot(TestMatrices.referenceRow(m, seg, r), x, 0) + 1e-30;
                assertEquals(expected, decoded.dot(qx), tol, type + " row " + r + " token " + token);
            }
        }
    }
}
