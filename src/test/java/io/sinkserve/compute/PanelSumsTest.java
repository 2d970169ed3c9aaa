package io.sinkserve.compute;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PanelSumsTest {
    private static final int ROWS = GroupedMatrix.ROWS;

    /**
     * Both shapes, whichever this machine's register file picks for the GEMM: every block's sum of every token and both
     * groups is the exact Σ_k panel · q, with panel values at the extremes (-8, 7) and quants at ±127 in some blocks, and
     * laid out block by block, first group's tokens then the second's.
     */
    @Test
    void sixAndFourTokenShapesGiveEveryBlocksExactSums() {
        Random rnd = new Random(29);
        int kc = QuantizedGemm.KC;
        int k0 = 2 * kc;
        int cols = 3 * kc;
        short[] panel = new short[2 * kc * ROWS];
        for (int i = 0; i < panel.length; i++) {
            panel[i] = (short) (i % 97 == 0 ? -8 : i % 89 == 0 ? 7 : rnd.nextInt(16) - 8);
        }
        QuantizedVector[] xs = new QuantizedVector[7];
        for (int t = 0; t < xs.length; t++) {
            float[] x = TestMatrices.gaussian(rnd, cols, 1f);
            if (t == 2) {
                for (int k = k0; k < k0 + 32; k++) {
                    x[k] = k % 2 == 0 ? 1f : -1f;   // a block of quants at ±127
                }
            }
            xs[t] = new QuantizedVector();
            xs[t].quantize(x, 0, cols);
        }
        for (int tokens : new int[] {6, 4}) {
            short[] into = new short[kc / 32 * 2 * tokens * ROWS];
            if (tokens == 6) {
                PanelSums.six(panel, kc * ROWS, xs, 1, k0, kc, into);
            } else {
                PanelSums.four(panel, kc * ROWS, xs, 1, k0, kc, into);
            }
            for (int i = 0; i < kc / 32; i++) {
                for (int g = 0; g < 2; g++) {
                    for (int j = 0; j < tokens; j++) {
                        for (int lane = 0; lane < ROWS; lane++) {
                            int want = 0;
                            for (int k = 32 * i; k < 32 * i + 32; k++) {
                                want += panel[g * kc * ROWS + k * ROWS + lane] * xs[1 + j].q[k0 + k];
                            }
                            assertEquals(want, into[((i * 2 + g) * tokens + j) * ROWS + lane],
                                    tokens + " tokens, block " + i + ", group " + g + ", token " + j + ", lane " + lane);
                        }
                    }
                }
            }
        }
    }
}
