package io.sinkserve.compute;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedVectorTest {

    /** Each value rounds to the nearest step of max|block| / 127; block sums are the quantised sums. */
    @Test
    void roundsEachBlockToItsOwnScale() {
        float[] x = TestMatrices.gaussian(new Random(3), 3 + 96, 1f);
        x[3 + 40] = 50f;            // a large block next to normal ones
        for (int i = 64; i < 96; i++) {
            x[3 + i] = 0f;          // an all-zero block
        }
        QuantizedVector q = new QuantizedVector();
        q.quantize(x, 3, 96);
        for (int b = 0; b < 3; b++) {
            float amax = 0f;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                amax = Math.max(amax, Math.abs(x[3 + i]));
            }
            long sum = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                sum += q.q[i];
                assertTrue(Math.abs(q.q[i]) <= 127);
                assertEquals(x[3 + i], q.scale[b] * q.q[i], amax / 254 * 1.0001f, "value " + i);
            }
            assertEquals(amax / 127, q.scale[b], 1e-7f * amax);
            assertEquals(q.scale[b] * sum, q.sum[b], 1e-6f * Math.max(1f, Math.abs(q.sum[b])));
        }
        assertEquals(127, q.q[40]);
        assertEquals(0f, q.scale[2]);

        q.quantize(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
            24, 25, 26, 27, 28, 29, 30, 31, 32}, 0, 32);   // reuse: shorter vector, same buffers
        assertEquals(32, q.length);
        assertEquals(127, q.q[31]);
        assertEquals(4, q.q[0]);   // 1 * 127 / 32 = 3.97
    }

    /**
     * nibbleQ turns a word's unmasked shifts into its nibbles: for every 16-bit word of four nibbles,
     * w·y0 + (w>>>4)·y1 + (w>>>8)·y2 + (w>>>12)·y3 equals Σ n_i q[k+i] modulo 2^16, as the Q4 kernels rely on.
     */
    @Test
    void nibbleQuantsGiveEachNibblesProductFromUnmaskedShifts() {
        Random rnd = new Random(17);
        float[] x = TestMatrices.gaussian(rnd, 64, 1f);
        for (int i = 32; i < 64; i++) {
            x[i] = i % 3 == 0 ? -1f : 1f;   // a block of quants at ±127
        }
        QuantizedVector q = new QuantizedVector();
        q.quantize(x, 0, 64);
        assertEquals(-127, q.q[33]);
        for (int k = 0; k < 64; k += 4) {
            for (int t = 0; t < 2000; t++) {
                int w = t < 16 ? t * 0x1111 : rnd.nextInt(1 << 16);
                int want = 0;
                for (int i = 0; i < 4; i++) {
                    want += (w >>> 4 * i & 0x0F) * q.q[k + i];
                }
                int got = w * q.nibbleQ[k] + (w >>> 4) * q.nibbleQ[k + 1] + (w >>> 8) * q.nibbleQ[k + 2]
                        + (w >>> 12) * q.nibbleQ[k + 3];
                assertEquals((short) want, (short) got, "word " + Integer.toHexString(w) + " at " + k);
            }
        }
    }

    /**
     * pairQ turns a word's unmasked shift into its two bytes: for every 16-bit word, w·y0 + (w>>>8)·y1 equals
     * b0 q[k] + b1 q[k+1] modulo 2^16, as Q6_K's kernels rely on; quarterSum is Σ q over each 8 values.
     */
    @Test
    void pairQuantsGiveEachBytesProductFromAnUnmaskedShift() {
        Random rnd = new Random(19);
        float[] x = TestMatrices.gaussian(rnd, 64, 1f);
        for (int i = 32; i < 64; i++) {
            x[i] = i % 3 == 0 ? -1f : 1f;   // a block of quants at ±127
        }
        QuantizedVector q = new QuantizedVector();
        q.quantize(x, 0, 64);
        for (int k = 0; k < 64; k += 2) {
            for (int t = 0; t < 2000; t++) {
                int w = t < 256 ? t * 0x0101 : rnd.nextInt(1 << 16);
                int want = (w & 0xFF) * q.q[k] + (w >>> 8) * q.q[k + 1];
                int got = w * q.pairQ[k] + (w >>> 8) * q.pairQ[k + 1];
                assertEquals((short) want, (short) got, "word " + Integer.toHexString(w) + " at " + k);
            }
        }
        for (int j = 0; j < 8; j++) {
            int sum = 0;
            for (int i = 8 * j; i < 8 * j + 8; i++) {
                sum += q.q[i];
            }
            assertEquals(sum, q.quarterSum[j], "quarter " + j);
        }
    }
}
