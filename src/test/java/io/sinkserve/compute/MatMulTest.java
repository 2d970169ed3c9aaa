package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MatMulTest {
    private static ComputePool single;
    private static ComputePool triple;

    @BeforeAll
    static void pools() {
        single = new ComputePool(1);
        triple = new ComputePool(3);
    }

    @AfterAll
    static void close() {
        single.close();
        triple.close();
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (TensorType t : TensorType.values()) {
            for (int rows : new int[] {7, 33, 101}) {
                for (int threads : new int[] {1, 3}) {
                    b.add(Arguments.of(t, rows, threads));
                }
            }
        }
        return b.build();
    }

    /**
     * Both paths must agree with Σ w·x in double up to float accumulation error, plus, where the
     * activation is quantised to 8 bits (matvec on block types), that rounding's worst case.
     */
    @ParameterizedTest(name = "{0} rows={1} threads={2}")
    @MethodSource("cases")
    void matvecAndMatmulMatchScalarReference(TensorType type, int rows, int threads) {
        Random rnd = new Random(rows * 31 + type.ordinal());
        int cols = TestMatrices.oddCols(type);
        MemorySegment seg = TestMatrices.randomBlocks(type, rnd, rows, cols);
        Matrix m = Matrix.of(type, seg, rows, cols);
        float[][] w = new float[rows][];
        for (int r = 0; r < rows; r++) {
            w[r] = TestMatrices.referenceRow(m, seg, r);
        }
        MatMul mm = new MatMul(threads == 1 ? single : triple);

        float[] x = TestMatrices.gaussian(rnd, cols + 2, 1f);
        float[] out = new float[rows + 1];
        mm.matvec(m, x, 2, out, 1);
        for (int r = 0; r < rows; r++) {
            double tol = tolerance(w[r], x, 2);
            if (m.type().blockSize() > 1) {
                tol += ScalarReference.activationError(w[r], x, 2);
            }
            assertEquals(ScalarReference.dot(w[r], x, 2), out[1 + r], tol, "matvec row " + r);
        }

        // 101 rows span three row groups of the GEMM; 8, 17 and 40 tokens mix its 16- and 8-token kernels
        for (int n : new int[] {1, 3, 5, 8, 17, 40}) {
            float[] xs = TestMatrices.gaussian(rnd, n * cols, 1f);
            float[] outs = new float[n * rows];
            mm.matmul(m, xs, n, outs);
            // up to SMALL_BATCH tokens on block-quantised weights take the matvec kernels and 8-bit activations; so do
            // all tokens of the types with a quantised GEMM
            boolean quantisedActivation = m.type().blockSize() > 1
                    && (n <= MatMul.SMALL_BATCH || m instanceof QuantizedGemm.Panels);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double tol = tolerance(w[r], xs, t * cols)
                            + (quantisedActivation ? ScalarReference.activationError(w[r], xs, t * cols) : 0);
                    assertEquals(ScalarReference.dot(w[r], xs, t * cols), outs[t * rows + r], tol,
                            "matmul n=" + n + " token " + t + " row " + r);
                }
            }
        }
    }

    /**
     * Issue 17: a token's outputs do not depend on the batch it is in. Up to SMALL_BATCH tokens get the
     * bits of matvec; in the GEMM a token gets the same bits in a batch of 17 (where token 16 takes the
     * one-vector kernel) as in one of 40.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(TensorType.class)
    void aTokensBitsDoNotDependOnItsBatch(TensorType type) {
        Random rnd = new Random(11 + type.ordinal());
        int rows = 53;
        int cols = TestMatrices.oddCols(type);
        Matrix m = Matrix.of(type, TestMatrices.randomBlocks(type, rnd, rows, cols), rows, cols);
        MatMul mm = new MatMul(triple);
        float[] xs = TestMatrices.gaussian(rnd, 40 * cols, 1f);
        float[] small = new float[MatMul.SMALL_BATCH * rows];
        mm.matmul(m, xs, MatMul.SMALL_BATCH, small);
        float[] alone = new float[rows];
        for (int t = 0; t < MatMul.SMALL_BATCH; t++) {
            mm.matvec(m, xs, t * cols, alone, 0);
            for (int r = 0; r < rows; r++) {
                assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(small[t * rows + r]),
                        type + " batch of " + MatMul.SMALL_BATCH + " token " + t + " row " + r);
            }
        }
        float[] of17 = new float[17 * rows];
        float[] of40 = new float[40 * rows];
        mm.matmul(m, xs, 17, of17);
        mm.matmul(m, xs, 40, of40);
        for (int i = 0; i < of17.length; i++) {
            assertEquals(Float.floatToRawIntBits(of40[i]), Float.floatToRawIntBits(of17[i]),
                    type + " GEMM token " + i / rows + " row " + i % rows);
        }
        if (m instanceof QuantizedGemm.Panels || type == TensorType.F16) {
            // the quantised GEMM (and F16's) does the one-token kernel's arithmetic: prefill and decode agree bit for bit
            for (int t = 0; t < 40; t++) {
                mm.matvec(m, xs, t * cols, alone, 0);
                assertSameBits(alone, of40, t * rows, type + " GEMM of 40 against matvec, token " + t);
            }
        }
    }

    /**
     * One forward pass over decode rows and a prompt chunk: in a split batch each part gets the bits of its own
     * call, the per-token rows those of matvec (also past SMALL_BATCH of them) and the chunk those of the GEMM.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(TensorType.class)
    void aSplitBatchGivesEachPartTheBitsOfItsOwnCall(TensorType type) {
        Random rnd = new Random(23 + type.ordinal());
        int rows = 101;
        int cols = TestMatrices.oddCols(type);
        Matrix m = Matrix.of(type, TestMatrices.randomBlocks(type, rnd, rows, cols), rows, cols);
        MatMul mm = new MatMul(triple);
        int chunk = 17;
        for (int perToken : new int[] {1, 5, MatMul.SMALL_BATCH + 3}) {
            int n = perToken + chunk;
            float[] xs = TestMatrices.gaussian(rnd, n * cols, 1f);
            float[] split = new float[n * rows];
            mm.matmul(m, xs, n, perToken, split);
            float[] alone = new float[rows];
            for (int t = 0; t < perToken; t++) {
                mm.matvec(m, xs, t * cols, alone, 0);
                assertSameBits(alone, split, t * rows, type + " per-token part of " + perToken + ", token " + t);
            }
            float[] gemmOnly = new float[chunk * rows];
            mm.matmul(m, java.util.Arrays.copyOfRange(xs, perToken * cols, n * cols), chunk, gemmOnly);
            assertSameBits(gemmOnly, split, perToken * rows, type + " GEMM part beside " + perToken);
        }
    }

    /**
     * F16 ({@link F16Matrix}): every row's result is one chain of fused multiply-adds from zero over k in order, the
     * same bits in matvec, in a small batch (the per-token saxpys) and in the GEMM, on one thread or three. The rows
     * cross a tile boundary and end in a partial tile whose last row group is partial too; 131 columns.
     */
    @ParameterizedTest(name = "threads={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void f16RowsAreOneFmaChainEachInEveryPath(int threads) {
        Random rnd = new Random(41 + threads);
        int rows = F16Matrix.TILE + 45;
        int cols = 131;
        MemorySegment seg = TestMatrices.randomBlocks(TensorType.F16, rnd, rows, cols);
        Matrix m = Matrix.of(TensorType.F16, seg, rows, cols);
        MatMul mm = new MatMul(threads == 1 ? single : triple);
        int n = 17;
        float[] xs = TestMatrices.gaussian(rnd, n * cols, 1f);
        float[] want = new float[n * rows];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                float acc = 0f;
                for (int k = 0; k < cols; k++) {
                    float w = Float.float16ToFloat(seg.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2L * ((long) r * cols + k)));
                    acc = Math.fma(w, xs[t * cols + k], acc);
                }
                want[t * rows + r] = acc;
            }
        }
        float[] alone = new float[rows];
        for (int t = 0; t < 3; t++) {
            mm.matvec(m, xs, t * cols, alone, 0);
            assertSameBits(java.util.Arrays.copyOfRange(want, t * rows, (t + 1) * rows), alone, 0, "matvec token " + t);
        }
        float[] batch = new float[3 * rows];
        mm.matmul(m, xs, 3, batch);
        assertSameBits(java.util.Arrays.copyOfRange(want, 0, 3 * rows), batch, 0, "batch of 3");
        float[] gemm = new float[n * rows];
        mm.matmul(m, xs, n, gemm);
        assertSameBits(want, gemm, 0, "GEMM of " + n);
    }

    /**
     * One token's kernel takes the row groups two at a time (GroupedMatrix#dotGroupPair): every row still gets the bits
     * of its own group's single kernel, with an odd number of groups and a last group cut short, on 1 and 3 threads.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TensorType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void pairedGroupsGiveEachRowItsGroupsBits(TensorType type) {
        Random rnd = new Random(61 + type.ordinal());
        int rows = 5 * GroupedMatrix.ROWS + 7;
        int cols = 512;
        GroupedMatrix m = (GroupedMatrix) Matrix.of(type, TestMatrices.randomBlocks(type, rnd, rows, cols), rows, cols);
        float[] x = TestMatrices.gaussian(rnd, cols, 1f);
        QuantizedVector xq = new QuantizedVector();
        xq.quantize(x, 0, cols);
        float[] want = new float[rows];
        for (int r = 0; r < rows; r++) {
            want[r] = TestMatrices.groupDot(m, r, xq);
        }
        for (ComputePool pool : new ComputePool[] {single, triple}) {
            float[] got = new float[rows];
            new MatMul(pool).matvec(m, x, 0, got, 0);
            assertSameBits(want, got, 0, type + " on " + pool.threads() + " threads");
        }
    }

    /**
     * A small batch takes the row groups two at a time too (GroupedMatrix#dotGroupPair, batch form: four tokens' block
     * sums per pass over both groups' words, the rest one token at a time): every token still gets each row's single
     * kernel bits, with odd and even group counts, a last group cut short, a whole and a partial set of four tokens,
     * on 1 and 3 threads.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TensorType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void smallBatchesPairedGroupsGiveEachTokenItsRowsBits(TensorType type) {
        Random rnd = new Random(71 + type.ordinal());
        int cols = 512;
        for (int rows : new int[] {4 * GroupedMatrix.ROWS + 7, 5 * GroupedMatrix.ROWS + 7}) {
            GroupedMatrix m = (GroupedMatrix) Matrix.of(type, TestMatrices.randomBlocks(type, rnd, rows, cols), rows, cols);
            for (int n : new int[] {MatMul.SMALL_BATCH, MatMul.SMALL_BATCH - 1}) {
                float[] xs = TestMatrices.gaussian(rnd, n * cols, 1f);
                float[] want = new float[n * rows];
                QuantizedVector xq = new QuantizedVector();
                for (int t = 0; t < n; t++) {
                    xq.quantize(xs, t * cols, cols);
                    for (int r = 0; r < rows; r++) {
                        want[t * rows + r] = TestMatrices.groupDot(m, r, xq);
                    }
                }
                for (ComputePool pool : new ComputePool[] {single, triple}) {
                    float[] got = new float[n * rows];
                    new MatMul(pool).matmul(m, xs, n, got);
                    assertSameBits(want, got, 0, type + " " + rows + " rows, " + n + " tokens on " + pool.threads() + " threads");
                }
            }
        }
    }

    /**
     * The integer GEMM takes the row groups two at a time too (PanelSums), a last odd group
     * alone: every token of a GEMM still gets the bits of its own matvec, with odd and even group counts, a last
     * group cut short, and a padded last set of tokens, on 1 and 3 threads.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TensorType.class, names = {"Q4_0", "Q4_K"})
    void theGemmsPairedGroupsGiveEachTokenItsMatvecBits(TensorType type) {
        Random rnd = new Random(67 + type.ordinal());
        int cols = 512;
        int n = MatMul.SMALL_BATCH + 5;
        for (int rows : new int[] {4 * GroupedMatrix.ROWS + 7, 5 * GroupedMatrix.ROWS + 7}) {
            Matrix m = Matrix.of(type, TestMatrices.randomBlocks(type, rnd, rows, cols), rows, cols);
            float[] xs = TestMatrices.gaussian(rnd, n * cols, 1f);
            for (ComputePool pool : new ComputePool[] {single, triple}) {
                MatMul mm = new MatMul(pool);
                float[] gemm = new float[n * rows];
                mm.matmul(m, xs, n, gemm);
                float[] alone = new float[rows];
                for (int t = 0; t < n; t++) {
                    mm.matvec(m, xs, t * cols, alone, 0);
                    assertSameBits(alone, gemm, t * rows, type + " " + rows + " rows on " + pool.threads() + " threads, token " + t);
                }
            }
        }
    }

    /** want[i] and got[gotOff + i] have the same bits for every i of want. */
    private static void assertSameBits(float[] want, float[] got, int gotOff, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[gotOff + i]), what + ", value " + i);
        }
    }

    /** Float32 accumulation of a few hundred products: far below 1e-5 of Σ|w·x|. */
    private static double tolerance(float[] w, float[] x, int xOff) {
        return 1e-5 * ScalarReference.absDot(w, x, xOff) + 1e-30;
    }
}
