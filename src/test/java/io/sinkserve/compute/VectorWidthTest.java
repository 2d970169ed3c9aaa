package io.sinkserve.compute;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorWidthTest {
    @Test
    void thePreferredWidthUnlessOneIsForced() {
        assertEquals(512, VectorWidth.choose(null, 512));
        assertEquals(256, VectorWidth.choose(" ", 256));
        assertEquals(512, VectorWidth.choose(null, 1024), "no kernel layout is wider than 512 bits");
        assertEquals(128, VectorWidth.choose("128", 512));
        assertEquals(512, VectorWidth.choose("512", 256), "forcing a wider one runs (slowly) for tests");
    }

    @Test
    void badWidthsAndUnvectorisedCpusAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("64", 512));
        assertTrue(e.getMessage().contains("must be 128, 256 or 512, got '64'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("wide", 512));
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> VectorWidth.choose(null, 64));
        assertTrue(s.getMessage().contains("not intrinsified"), s.getMessage());
    }

    @Test
    void registerCountFollowsTheInstructionSet() {
        assertEquals(32, VectorWidth.registers(512, "amd64"));
        assertEquals(16, VectorWidth.registers(256, "amd64"), "AVX2, or a JVM held to it with -XX:UseAVX=2");
        assertEquals(32, VectorWidth.registers(128, "aarch64"));
        assertEquals(VectorWidth.registers(VectorWidth.PREFERRED_BITS, System.getProperty("os.arch")), VectorWidth.REGISTERS);
        assertEquals(VectorWidth.REGISTERS >= 32 ? 6 : 4, PanelSums.TOKENS);
    }

    @Test
    void theKernelsRunAtTheChosenWidth() {
        assertEquals(VectorWidth.BITS, VectorWidth.FLOAT.vectorBitSize());
        assertEquals(VectorWidth.LOGICAL_LANES % VectorWidth.LANES, 0);
    }
}
