package io.sinkserve.compute;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void residentCopiesALargeMappedFileAndLeavesOtherSegmentsAlone(@TempDir Path dir) throws IOException {
        byte[] bytes = new byte[(int) BIG];
        new Random(7).nextBytes(bytes);
        Path file = dir.resolve("weights.bin");
        Files.write(file, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            MemorySegment copy = HugePages.resident(mapped);
            if (HugePages.available()) {
                assertNotSame(mapped, copy);
                assertFalse(copy.isMapped());
            }
            assertEquals(-1, copy.mismatch(mapped));
        }
        MemorySegment heap = MemorySegment.ofArray(bytes);
        assertSame(heap, HugePages.resident(heap));
    }

    @Test
    void aLargeMappedF16MatrixReadsItsCopyWithTheSameValues(@TempDir Path dir) throws IOException {
        int rows = 1024;
        int cols = 4096;
        byte[] bytes = new byte[2 * rows * cols];
        MemorySegment heap = MemorySegment.ofArray(bytes);
        Random random = new Random(11);
        for (long i = 0; i < (long) rows * cols; i++) {
            heap.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(random.nextFloat() - 0.5f));
        }
        Path file = dir.resolve("f16.bin");
        Files.write(file, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            Matrix fromFile = Matrix.of(TensorType.F16, mapped, rows, cols);
            Matrix fromHeap = Matrix.of(TensorType.F16, heap, rows, cols);
            assertEquals(!HugePages.available(), fromFile.readsSource());
            assertTrue(fromHeap.readsSource());
            float[] a = new float[cols];
            float[] b = new float[cols];
            for (int row : new int[] {0, 517, rows - 1}) {
                fromFile.dequantizeRow(row, a, 0);
                fromHeap.dequantizeRow(row, b, 0);
                assertArrayEquals(b, a);
            }
        }
    }
}
