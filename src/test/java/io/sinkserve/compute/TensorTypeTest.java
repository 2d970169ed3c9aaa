package io.sinkserve.compute;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorTypeTest {
    @Test
    void ggmlIdsAndBlockSizes() {
        assertEquals(TensorType.Q4_K, TensorType.byId(12));
        assertEquals(144L * 2, TensorType.Q4_K.byteSize(512));
        assertEquals(34L, TensorType.Q8_0.byteSize(32));
        assertNull(TensorType.byId(3), "Q4_1 is not supported");
        assertThrows(IllegalArgumentException.class, () -> TensorType.Q4_0.byteSize(33));
    }
}
