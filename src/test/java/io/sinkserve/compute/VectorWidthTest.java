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
    void theKernelsRunAtTheChosenWidth() {
        assertEquals(VectorWidth.BITS, VectorWidth.FLOAT.vectorBitSize());
        assertEquals(VectorWidth.LOGICAL_LANES % VectorWidth.LANES, 0);
    }
}
