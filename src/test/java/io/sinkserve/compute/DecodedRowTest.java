package io.sinkserve.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row decoded once for a batch must dot a quantised activation to the same bits as the type's own
 * per-token kernel: same integer quants, same float operations in the same order.
 */
class DecodedRowTest {

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q8_0"})
    void decodedRowDotsToTheBitsOfTheTypesOwnKernel(TensorType type) {
        Random rnd = new Random(7 + type.ordinal());
        int rows = 5;
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        QuantizedMatrix m = (QuantizedMatrix) Matrix.of(type, seg, rows, cols);
        DecodedRow decoded = new DecodedRow();
        float[] scratch = new float[QuantizedMatrix.scratchLength(cols)];
        for (int token = 0; token < 3; token++) {
            float[] x = TestMatrices.gaussian(rnd, cols, 1f);
            QuantizedVector qx = new QuantizedVector();
            qx.quantize(x, 0, cols);
            for (int r = 0; r < rows; r++) {
                ((BlockScaledRows) m).decodeRow(r, decoded);
                // the same bits: a token decoded in a batch must get what it gets alone (issue 17)
                assertEquals(Float.floatToRawIntBits(m.dot(r, qx, scratch)), Float.floatToRawIntBits(decoded.dot(qx)),
                        type + " row " + r + " token " + token);
            }
        }
    }
}
