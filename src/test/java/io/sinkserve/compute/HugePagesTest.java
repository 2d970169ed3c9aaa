package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class HugePagesTest {
    private static final long BIG = (9L << 20) + 12345;

    @Test
    void largeAllocationsAreZeroedAlignedWritableAndFreedWithTheirArena() {
        Arena arena = Arena.ofShared();
        MemorySegment s = HugePages.allocate(BIG, arena);
        assertEquals(BIG, s.byteSize());
        assertEquals(0, s.address() % 64);
        for (long i = 0; i < BIG; i += 4096) {
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i));
        }
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, BIG - 8, 0x0123456789abcdefL);
        assertEquals(0x0123456789abcdefL, s.get(ValueLayout.JAVA_LONG_UNALIGNED, BIG - 8));
        arena.close();
        assertFalse(s.scope().isAlive());
    }

    @Test
    void smallAllocationsWork() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = HugePages.allocate(100, arena);
            assertEquals(100, s.byteSize());
            assertEquals(0, s.address() % 64);
        }
    }
}
