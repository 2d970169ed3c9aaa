package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixTest {

    /**
     * Kernel and reference decode the same bits; they may differ only by how a scale and a min are
     * combined (one fused multiply-add against two roundings), i.e. a few float ulps of the values.
     */
    @ParameterizedTest
    @EnumSource(TensorType.class)
    void dequantizeMatchesScalarReference(TensorType type) {
        Random rnd = new Random(type.ordinal());
        int rows = 7;
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        Matrix m = Matrix.of(type, seg, rows, cols);
        float[] got = new float[cols + 3];
        for (int r = 0; r < rows; r++) {
            float[] want = TestMatrices.referenceRow(m, seg, r);
            m.dequantizeRow(r, got, 3);
            float scale = maxAbs(want);
            for (int i = 0; i < cols; i++) {
                assertEquals(want[i], got[3 + i], 4 * Math.ulp(scale), type + " row " + r + " col " + i);
            }
        }
    }

    /**
     * The fused dot differs from Σ w·x in double only by float rounding in the accumulation. Quantised
     * types dot with the 8-bit activation, so the reference uses that activation's values scale * q:
     * the integer products are exact, leaving the same float rounding.
     */
    @ParameterizedTest
    @EnumSource(TensorType.class)
    void dotMatchesScalarReference(TensorType type) {
        Random rnd = new Random(100 + type.ordinal());
        int rows = 33;
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        WeightMatrix m = (WeightMatrix) Matrix.of(type, seg, rows, cols);
        float[] x = TestMatrices.gaussian(rnd, cols + 5, 1f);
        float[] xRef = x;
        int xOff = 5;
        QuantizedVector xq = new QuantizedVector();
        if (m instanceof GroupedMatrix) {
            xq.quantize(x, 5, cols);
            xRef = new float[cols];
            for (int i = 0; i < cols; i++) {
                xRef[i] = xq.scale[i / 32] * xq.q[i];
            }
            xOff = 0;
        }
        for (int r = 0; r < rows; r++) {
            float[] w = TestMatrices.referenceRow(m, seg, r);
            double want = ScalarReference.dot(w, xRef, xOff);
            float got = switch (m) {
                case GroupedMatrix g -> TestMatrices.groupDot(g, r, xq);
                case FloatMatrix f -> f.dot(r, x, 5, new float[FloatMatrix.SCRATCH]);
                case F16Matrix f -> {
                    float[] one = new float[1];
                    f.dots(r, r + 1, x, 5, one, -r, new float[f.scratchLength()]);
                    yield one[0];
                }
            };
            assertEquals(want, got, 1e-5 * ScalarReference.absDot(w, xRef, xOff) + 1e-30, type + " row " + r);
        }
    }

    /**
     * The group kernels (Q8_0, Q4_0, Q4_K, Q6_K) sum each block (Q6_K: each 8 values) exactly (Q8_0 in 16-bit lanes
     * two values at a time, then in 32-bit lanes; the others in 16-bit lanes) and add
     * them in order with one fused multiply-add each (Q4_K: its mins in a second chain, taken off at the end), so
     * every row has exactly the bits of that scalar sum, at every vector width (the kernel-widths profile runs
     * this at 128 and 256 bits), in a group of rows cut short by the matrix's end too.
     */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void groupDotIsTheExactBlockSumInBlockOrderBitForBit(TensorType type) {
        Random rnd = new Random(300 + type.ordinal());
        int rows = 2 * GroupedMatrix.ROWS + 3;
        int cols = 256 * 5;
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        GroupedMatrix m = (GroupedMatrix) Matrix.of(type, seg, rows, cols);
        float[] x = TestMatrices.gaussian(rnd, cols, 1f);
        // two blocks of equal values (all quants +127, then all -127): Σ q x passes 2^15 in about half the rows, so
        // their 16-bit sums wrap before the offset is taken off
        for (int i = 64; i < 128; i++) {
            x[i] = i < 96 ? 9f : -9f;
        }
        QuantizedVector xq = new QuantizedVector();
        xq.quantize(x, 0, cols);
        for (int r = 0; r < rows; r++) {
            float want = groupReference(type, seg, type.byteSize(cols) * r, cols, xq);
            float got = TestMatrices.groupDot(m, r, xq);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), type + " row " + r + ": " + want + " vs " + got);
        }
    }

    /**
     * A matrix that says it does not read its source after construction (so its file pages can be released) gives
     * the same values and dot products after the source bytes are overwritten.
     */
    @ParameterizedTest
    @EnumSource(TensorType.class)
    void aRepackedMatrixNeverReadsItsSourceAgain(TensorType type) {
        Random rnd = new Random(400 + type.ordinal());
        int rows = GroupedMatrix.ROWS + 5;
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        Matrix m = Matrix.of(type, seg, rows, cols);
        if (m.readsSource()) {
            assertTrue(m instanceof FloatMatrix, type + " is repacked but says it reads its source");
            return;
        }
        float[] x = TestMatrices.gaussian(rnd, cols, 1f);
        float[][] before = new float[rows][cols];
        float[] dots = new float[rows];
        float[] dotsAfter = new float[rows];
        try (ComputePool pool = new ComputePool(1)) {
            MatMul mm = new MatMul(pool);
            for (int r = 0; r < rows; r++) {
                m.dequantizeRow(r, before[r], 0);
            }
            mm.matvec(m, x, 0, dots, 0);
            seg.fill((byte) 0x5A);
            mm.matvec(m, x, 0, dotsAfter, 0);
        }
        float[] after = new float[cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, after, 0);
            assertArrayEquals(before[r], after, type + " row " + r);
            assertEquals(Float.floatToRawIntBits(dots[r]), Float.floatToRawIntBits(dotsAfter[r]), type + " row " + r);
        }
    }

    /** The scalar form of a group kernel's sums for the row at {@code row} (see the test above). */
    private static float groupReference(TensorType type, MemorySegment seg, long row, int cols, QuantizedVector xq) {
        float acc = 0f;
        float mins = 0f;
        for (int b = 0; b < cols / 32; b++) {
            int[] q = new int[32];
            float[] scale = new float[4];
            float min = 0f;
            switch (type) {
                case Q8_0 -> {
                    long off = row + 34L * b;
                    Arrays.fill(scale, Float.float16ToFloat(seg.get(WeightMatrix.SHORT, off)));
                    for (int i = 0; i < 32; i++) {
                        q[i] = seg.get(ValueLayout.JAVA_BYTE, off + 2 + i);
                    }
                }
                case Q4_0 -> {
                    long off = row + 18L * b;
                    Arrays.fill(scale, Float.float16ToFloat(seg.get(WeightMatrix.SHORT, off)));
                    for (int j = 0; j < 16; j++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, off + 2 + j) & 0xFF;
                        q[j] = (packed & 0x0F) - 8;
                        q[j + 16] = (packed >>> 4) - 8;
                    }
                }
                case Q4_K -> {
                    long off = row + 144L * (b / 8);
                    int s = b % 8;
                    int[] sm = ScalarReference.scaleMinK4(s, seg, off + 4);
                    Arrays.fill(scale, sm[0] * Float.float16ToFloat(seg.get(WeightMatrix.SHORT, off)));
                    min = sm[1] * Float.float16ToFloat(seg.get(WeightMatrix.SHORT, off + 2));
                    for (int i = 0; i < 32; i++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, off + 16 + 32 * (s / 2) + i) & 0xFF;
                        q[i] = s % 2 == 0 ? packed & 0x0F : packed >>> 4;
                    }
                }
                default -> {
                    // Q6_K: value v of the super-block from ql, qh as ggml lays them out; a scale per 16 values
                    long off = row + 210L * (b / 8);
                    float d = Float.float16ToFloat(seg.get(WeightMatrix.SHORT, off + 208));
                    for (int i = 0; i < 32; i++) {
                        int v = 32 * (b % 8) + i;
                        int n = v / 128;
                        int l = v % 32;
                        int quarter = v % 128 / 32;
                        int ql = seg.get(ValueLayout.JAVA_BYTE, off + 64 * n + 32 * (quarter & 1) + l) & 0xFF;
                        int qh = seg.get(ValueLayout.JAVA_BYTE, off + 128 + 32 * n + l) & 0xFF;
                        q[i] = ((quarter < 2 ? ql & 0x0F : ql >>> 4) | (qh >>> 2 * quarter & 3) << 4) - 32;
                    }
                    for (int j = 0; j < 4; j++) {
                        scale[j] = d * seg.get(ValueLayout.JAVA_BYTE, off + 192 + 2 * (b % 8) + j / 2);
                    }
                }
            }
            // Q6_K sums and scales each 8 values; the others a whole block at once (the same scale four times)
            int parts = type == TensorType.Q6_K ? 4 : 1;
            for (int j = 0; j < parts; j++) {
                int sum = 0;
                for (int i = 32 / parts * j; i < 32 / parts * (j + 1); i++) {
                    sum += q[i] * xq.q[32 * b + i];
                }
                acc = Math.fma((float) sum, scale[j] * xq.scale[b], acc);
            }
            mins = Math.fma(min, xq.sum[b], mins);
        }
        return type == TensorType.Q4_K ? acc - mins : acc;
    }

    /**
     * F16 is repacked into column tiles ({@link F16Matrix}): a row read back, and a row group's panel, give the file's
     * values, in the first tile, across the tile boundary and in the last, partial group (its extra lanes zero).
     */
    @Test
    void f16TilesGiveBackTheFilesRowsAndPanels() {
        Random rnd = new Random(201);
        int rows = F16Matrix.TILE + 3;
        int cols = 96;
        MemorySegment seg = TestMatrices.randomBlocks(TensorType.F16, rnd, rows, cols);
        F16Matrix m = (F16Matrix) Matrix.of(TensorType.F16, seg, rows, cols);
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        float[] row = new float[cols];
        for (int r : new int[] {0, 1, F16Matrix.TILE - 1, F16Matrix.TILE, rows - 1}) {
            m.dequantizeRow(r, row, 0);
            for (int k = 0; k < cols; k++) {
                assertEquals(Float.float16ToFloat(seg.get(half, 2L * ((long) r * cols + k))), row[k], "row " + r + " column " + k);
            }
        }
        int lanes = GroupedMatrix.ROWS;
        float[] panel = new float[32 * lanes];
        for (int group : new int[] {0, F16Matrix.TILE / lanes - 1, F16Matrix.TILE / lanes}) {
            m.decodePanel(group, 64, 32, new float[m.panelScratch()], panel);
            for (int k = 0; k < 32; k++) {
                for (int lane = 0; lane < lanes; lane++) {
                    int r = group * lanes + lane;
                    float want = r < rows ? Float.float16ToFloat(seg.get(half, 2L * ((long) r * cols + 64 + k))) : 0f;
                    assertEquals(want, panel[k * lanes + lane], "group " + group + " column " + (64 + k) + " lane " + lane);
                }
            }
        }
    }

    /**
     * Whole F16 tiles keep their sums in registers and widen halves in integer lanes against an activation scaled by
     * 2^112; every row still gets the bits of one FMA chain over k in order: with subnormal, zero, largest and negative
     * halves, a subnormal activation value, an activation value too large to scale (the tile falls back to the saxpys
     * partway through), a NaN in the activation, and a matrix holding an infinity and a NaN (every tile takes the
     * saxpys). Two whole tiles and a partial one.
     */
    @Test
    void f16TilesGiveEveryRowItsFmaChainsBitsWithSpecialValues() {
        Random rnd = new Random(202);
        int rows = 2 * F16Matrix.TILE + 5;
        int cols = 67;
        short[] specials = {0x0001, 0x03FF, 0x0200, (short) 0x8001, 0x0000, (short) 0x8000, 0x7BFF, (short) 0xFBFF, 0x0400};
        short[] halves = new short[rows * cols];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = i % 5 == 0 ? specials[rnd.nextInt(specials.length)] : Float.floatToFloat16((float) rnd.nextGaussian());
        }
        float[] x = TestMatrices.gaussian(rnd, cols, 1f);
        x[3] = 1e-40f;
        x[60] = -7.5e3f;
        assertF16DotsAreFmaChains(halves, rows, cols, x, "finite halves");
        float[] large = x.clone();
        large[40] = 70_000f;
        assertF16DotsAreFmaChains(halves, rows, cols, large, "an activation value of 70000");
        float[] nan = x.clone();
        nan[cols - 1] = Float.NaN;
        assertF16DotsAreFmaChains(halves, rows, cols, nan, "a NaN activation value");
        short[] nonFinite = halves.clone();
        nonFinite[7 * cols + 11] = 0x7C00;
        nonFinite[(F16Matrix.TILE + 2) * cols + 5] = 0x7E01;
        assertF16DotsAreFmaChains(nonFinite, rows, cols, x, "an infinity and a NaN in the matrix");
    }

    private static void assertF16DotsAreFmaChains(short[] halves, int rows, int cols, float[] x, String what) {
        MemorySegment seg = Arena.ofAuto().allocate(2L * halves.length);
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < halves.length; i++) {
            seg.set(half, 2L * i, halves[i]);
        }
        F16Matrix m = (F16Matrix) Matrix.of(TensorType.F16, seg, rows, cols);
        float[] got = new float[rows];
        m.dots(0, rows, x, 0, got, 0, new float[m.scratchLength()]);
        for (int r = 0; r < rows; r++) {
            float want = 0f;
            for (int k = 0; k < cols; k++) {
                want = Math.fma(Float.float16ToFloat(halves[r * cols + k]), x[k], want);
            }
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[r]), what + ", row " + r + ": " + want + " vs " + got[r]);
        }
    }

    @Test
    void halfPrecisionDecodesEveryBitPatternExactly() {
        int cols = 65536;
        MemorySegment seg = Arena.ofAuto().allocate(2L * cols);
        for (int i = 0; i < cols; i++) {
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, (short) i);
        }
        float[] got = new float[cols];
        Matrix.of(TensorType.F16, seg, 1, cols).dequantizeRow(0, got, 0);
        for (int i = 0; i < cols; i++) {
            float want = Float.float16ToFloat((short) i);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]),
                    "half bits " + i);
        }
        // the GEMM's panels widen in integer lanes: every pattern again, a row group's column at a time
        int lanes = GroupedMatrix.ROWS;
        F16Matrix groups = (F16Matrix) Matrix.of(TensorType.F16, seg, lanes, cols / lanes);
        float[] panel = new float[cols];
        groups.decodePanel(0, 0, cols / lanes, new float[groups.panelScratch()], panel);
        for (int k = 0; k < cols / lanes; k++) {
            for (int lane = 0; lane < lanes; lane++) {
                int bits = lane * (cols / lanes) + k;
                assertEquals(Float.floatToIntBits(Float.float16ToFloat((short) bits)), Float.floatToIntBits(panel[k * lanes + lane]),
                        "half bits " + bits + " in a panel");
            }
        }
    }

    /** Hand-built Q4_K block: sub-blocks 4..7 take the high bits of their scale and min from bytes 0..7. */
    @Test
    void q4KUnpacksSixBitScalesAndMins() {
        MemorySegment seg = Arena.ofAuto().allocate(TensorType.Q4_K.byteSize(256));
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Float.floatToFloat16(1f));
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2, Float.floatToFloat16(0.5f));
        // scale[0] = 5, min[0] = 3; scale[4] = 0b10_0111 = 39, min[4] = 0b01_1010 = 26
        seg.set(ValueLayout.JAVA_BYTE, 4, (byte) (5 | 0b10 << 6));
        seg.set(ValueLayout.JAVA_BYTE, 4 + 4, (byte) (3 | 0b01 << 6));
        seg.set(ValueLayout.JAVA_BYTE, 4 + 8, (byte) (0b0111 | 0b1010 << 4));
        // value 0 (sub-block 0) has nibble 2, value 128 (sub-block 4, low nibbles of bytes 64..95) nibble 9
        seg.set(ValueLayout.JAVA_BYTE, 16, (byte) 2);
        seg.set(ValueLayout.JAVA_BYTE, 16 + 64, (byte) 9);
        float[] y = new float[256];
        Matrix.of(TensorType.Q4_K, seg, 1, 256).dequantizeRow(0, y, 0);
        assertEquals(5f * 2 - 0.5f * 3, y[0]);
        assertEquals(39f * 9 - 0.5f * 26, y[128]);
        assertEquals(-0.5f * 26, y[129]);
    }

    /** Hand-built Q6_K block: value 64 + l takes the high nibble of ql[l] and bits 4..5 of qh[l]. */
    @Test
    void q6KCombinesLowAndHighBits() {
        MemorySegment seg = Arena.ofAuto().allocate(TensorType.Q6_K.byteSize(256));
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 208, Float.floatToFloat16(0.25f));
        for (int s = 0; s < 16; s++) {
            seg.set(ValueLayout.JAVA_BYTE, 192 + s, (byte) (s + 1));
        }
        seg.set(ValueLayout.JAVA_BYTE, 3, (byte) 0x70);          // ql[3]: high nibble 7
        seg.set(ValueLayout.JAVA_BYTE, 128 + 3, (byte) 0b10_0000); // qh[3]: bits 4..5 = 2
        float[] y = new float[256];
        Matrix.of(TensorType.Q6_K, seg, 1, 256).dequantizeRow(0, y, 0);
        // value 67: q = 7 | 2 << 4 = 39, minus 32 = 7; sub-block 67 / 16 = 4 has scale 5
        assertEquals(0.25f * 5 * 7, y[67]);
        // value 3: low nibble 0, qh bits 0..1 = 0: q - 32 = -32, scale 1
        assertEquals(0.25f * 1 * -32, y[3]);
    }

    @Test
    void rejectsWrongSizesWithAClearMessage() {
        MemorySegment seg = Arena.ofAuto().allocate(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Matrix.of(TensorType.Q8_0, seg, 2, 64));
        assertTrue(e.getMessage().contains("136"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Matrix.of(TensorType.Q4_K, seg, 1, 100));
    }

    private static float maxAbs(float[] v) {
        float m = 0f;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }
}
