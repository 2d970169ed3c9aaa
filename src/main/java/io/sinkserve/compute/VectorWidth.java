package io.sinkserve.compute;

import java.util.Locale;

import org.jboss.logging.Logger;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width the float kernels (F32, F16, BF16 rows, {@link FloatOps}, {@link TiledGemm}) run at: the CPU's preferred species (512 bits on AVX-512, 256 on
 * AVX2, 128 on NEON), or the one {@value #PROPERTY} forces (128, 256 or 512). Chosen once, at class
 * initialisation, so that the species the kernels read is a constant the JIT folds.
 *
 * <p>The width changes speed, never results: every kernel accumulates in a fixed logical layout of
 * {@link #LOGICAL_LANES} float lanes (one 512-bit vector, two 256-bit or four 128-bit ones) and reduces it
 * in a fixed order ({@link FixedOrder}), so every width gives the same bits.
 */
public final class VectorWidth {
    /** System property that forces a width in bits. */
    public static final String PROPERTY = "sinkserve.vector.bits";
    /** Float lanes of the accumulation layout every width maps onto. */
    public static final int LOGICAL_LANES = 16;

    /** The hardware's preferred width in bits (what the JIT intrinsifies). */
    public static final int PREFERRED_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    /**
     * Vector registers the JIT allocates from: 32 with AVX-512 (and on AArch64), 16 with AVX2. Kernels that keep many
     * sums in registers choose their shape by it (more than fit would be spilled to the stack in the inner loop).
     */
    public static final int REGISTERS = registers(PREFERRED_BITS, System.getProperty("os.arch"));
    /** The width the kernels run at. */
    public static final int BITS = choose(System.getProperty(PROPERTY), PREFERRED_BITS);

    public static final VectorSpecies<Float> FLOAT = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    /** Float lanes per vector: 4, 8 or 16. */
    public static final int LANES = FLOAT.length();
    /** As many int lanes as {@link #FLOAT} has float lanes. */
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    /** As many 16-bit lanes as {@link #FLOAT} has float lanes (half its bits): half floats to widen. */
    static final VectorSpecies<Short> HALF_SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2));

    static {
        String w = warning();
        if (w != null) {
            Logger.getLogger(VectorWidth.class).warn(w);
        }
    }

    private VectorWidth() {
    }

    /**
     * The width for a forced value (null: none) on hardware whose preferred width is {@code preferred}.
     * Widths below 128 bits are refused: the Vector API is not intrinsified there and would run its Java
     * fallback, tens of times slower.
     */
    static int choose(String forced, int preferred) {
        if (forced == null || forced.isBlank()) {
            if (preferred < 128) {
                throw new IllegalStateException("this CPU's preferred vector width is " + preferred
                        + " bits: the JDK Vector API is not intrinsified here and sinkserve's kernels would run"
                        + " tens of times slower (set -D" + PROPERTY + "=128 to run anyway)");
            }
            return Math.min(preferred, 512);
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be 128, 256 or 512, got '" + forced + "'");
        }
        return bits;
    }

    /**
     * Vector registers for a CPU whose preferred width is {@code preferredBits} on {@code arch} ({@code os.arch}): AVX-512
     * has 32 (so does AArch64, NEON or SVE), AVX2 16. A JVM held below AVX-512 ({@code -XX:UseAVX=2}) prefers 256 bits
     * and gets AVX2's count, which is what C2 then allocates from.
     */
    static int registers(int preferredBits, String arch) {
        return preferredBits >= 512 || "aarch64".equals(arch) ? 32 : 16;
    }

    /**
     * The warning logged when the kernels are first used, or null. The Vector API runs its Java fallback
     * (correct, the same bits, but many times slower) for vectors wider than the hardware's: a forced width
     * above the preferred one.
     */
    static String warning() {
        if (BITS > PREFERRED_BITS) {
            return "-D" + PROPERTY + "=" + BITS + " is wider than this CPU's " + PREFERRED_BITS
                    + "-bit vectors: the kernels run in the Vector API's Java fallback, many times slower";
        }
        return null;
    }
}
