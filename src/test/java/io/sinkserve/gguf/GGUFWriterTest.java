package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFWriterTest {
    @TempDir
    Path dir;

    /** Metadata of every value type at its edges, arrays of every element type, and tensors of every type. */
    static GGUFWriter everything() {
        GGUFWriter w = new GGUFWriter()
                .put("t.u8", GGUFValueType.UINT8, 255)
                .put("t.i8", GGUFValueType.INT8, -128)
                .put("t.u16", GGUFValueType.UINT16, 65535)
                .put("t.i16", GGUFValueType.INT16, -32768)
                .put("t.u32", GGUFValueType.UINT32, 4294967295L)
                .put("t.i32", GGUFValueType.INT32, Integer.MIN_VALUE)
                .put("t.u64", GGUFValueType.UINT64, -1L)
                .put("t.i64", GGUFValueType.INT64, Long.MIN_VALUE)
                .put("t.f32", GGUFValueType.FLOAT32, -1.5e-7f)
                .put("t.f64", GGUFValueType.FLOAT64, Math.PI)
                .putBool("t.true", true)
                .putBool("t.false", false)
                .putString("t.str", "héllo ✓ 🦙\n")
                .putString("t.empty", "")
                .putArray("a.u8", GGUFValueType.UINT8, List.of(0, 1, 255))
                .putArray("a.i8", GGUFValueType.INT8, List.of(-1, 127))
                .putArray("a.u16", GGUFValueType.UINT16, List.of(7))
                .putArray("a.i16", GGUFValueType.INT16, List.of(-7, 8))
                .putArray("a.u32", GGUFValueType.UINT32, List.of(1L, 4294967295L))
                .putArray("a.i32", GGUFValueType.INT32, List.of(-5, 6, 7))
                .putArray("a.u64", GGUFValueType.UINT64, List.of(Long.MAX_VALUE))
                .putArray("a.i64", GGUFValueType.INT64, List.of(-9L))
                .putArray("a.f32", GGUFValueType.FLOAT32, List.of(0.25f, Float.NEGATIVE_INFINITY))
                .putArray("a.f64", GGUFValueType.FLOAT64, List.of(1e300))
                .putArray("a.bool", GGUFValueType.BOOL, List.of(true, false, true))
                .putArray("a.str", GGUFValueType.STRING, List.of("<s>", "", "▁the"))
                .putArray("a.empty", GGUFValueType.FLOAT32, List.of());
        w.addTensor("f32.vec", TensorType.F32, 5);
        w.addTensor("f16.mat", TensorType.F16, 3, 7);
        w.addTensor("bf16.cube", TensorType.BF16, 2, 3, 4);
        w.addTensor("q8_0", TensorType.Q8_0, 64, 3);
        w.addTensor("q4_0", TensorType.Q4_0, 32, 5);
        w.addTensor("q4_k", TensorType.Q4_K, 256, 2);
        w.addTensor("q6_k", TensorType.Q6_K, 512, 1, 1, 3);
        return w;
    }

    /** Random bytes per tensor, deterministic by name. */
    static Map<String, MemorySegment> randomData(List<TensorInfo> tensors, Arena arena) {
        Map<String, MemorySegment> data = new HashMap<>();
        for (TensorInfo t : tensors) {
            byte[] bytes = new byte[(int) t.byteSize()];
            new Random(t.name().hashCode()).nextBytes(bytes);
            data.put(t.name(), arena.allocate(bytes.length).copyFrom(MemorySegment.ofArray(bytes)));
        }
        return data;
    }

    @Test
    void everyValueTypeAndTensorTypeRoundTrips() throws IOException {
        GGUFWriter w = everything();
        Path out = dir.resolve("all.gguf");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, MemorySegment> data = randomData(w.tensors(), arena);
            w.write(out, TensorSource.copyOf(t -> data.get(t.name())));
            assertEquals(w.fileSize(), Files.size(out));
            try (GGUFFile f = GGUFFile.open(out)) {
                assertEquals(3, f.version());
                GGUFMetadata written = w.metadata();
                assertEquals(written.asMap(), f.metadata().asMap());
                assertEquals(new ArrayList<>(written.keys()), new ArrayList<>(f.metadata().keys()), "key order kept");
                for (String key : written.keys()) {
                    assertEquals(written.valueType(key), f.metadata().valueType(key), key);
                    assertEquals(written.elementType(key), f.metadata().elementType(key), key);
                }
                assertEquals(-1L, f.metadata().getLong("t.u64"), "u64 keeps its bits");
                assertEquals(4294967295L, f.metadata().getLong("t.u32"));
                assertEquals("héllo ✓ 🦙\n", f.metadata().getString("t.str"));
                assertEquals(w.tensors(), f.tensors());
                for (TensorInfo t : f.tensors()) {
                    assertEquals(0, (f.dataStart() + t.offset()) % 32, t.name() + " aligned");
                    assertEquals(-1, f.data(t).mismatch(data.get(t.name())), t.name());
                }
            }
        }
    }

    @Test
    void honoursACustomAlignment() throws IOException {
        for (long alignment : new long[] {1, 64, 4096}) {
            GGUFWriter w = everything().putUInt32(GGUFWriter.ALIGNMENT_KEY, alignment);
            Path out = dir.resolve("aligned" + alignment + ".gguf");
            try (Arena arena = Arena.ofConfined()) {
                Map<String, MemorySegment> data = randomData(w.tensors(), arena);
                w.write(out, TensorSource.copyOf(t -> data.get(t.name())));
                assertEquals(w.fileSize(), Files.size(out));
                try (GGUFFile f = GGUFFile.open(out)) {
                    assertEquals(alignment, f.alignment());
                    for (TensorInfo t : f.tensors()) {
                        assertEquals(0, (f.dataStart() + t.offset()) % alignment, t.name());
                        assertEquals(-1, f.data(t).mismatch(data.get(t.name())), t.name());
                    }
                }
            }
        }
    }

    @Test
    void rewritingStories260KGivesTheSameBytes() throws IOException {
        Path out = dir.resolve("stories.gguf");
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            GGUFWriter w = new GGUFWriter().putAll(f.metadata());
            for (TensorInfo t : f.tensors()) {
                w.addTensor(t.name(), t.type(), t.shape());
            }
            assertEquals(f.tensors(), w.tensors(), "same layout as ggml's writer");
            w.write(out, TensorSource.copyOf(f::data));
        }
        assertEquals(-1, Files.mismatch(TestFiles.stories260K(), out));
    }

    @Test
    void rewritingAVocabOnlyFileGivesTheSameBytes() throws IOException {
        Path original = TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf");
        Path out = dir.resolve("vocab.gguf");
        try (GGUFFile f = GGUFFile.open(original)) {
            new GGUFWriter().putAll(f.metadata()).write(out, TensorSource.copyOf(f::data));
        }
        assertEquals(-1, Files.mismatch(original, out), "no padding after the metadata of a tensorless file");
    }

    @Test
    void streamsLargeTensorsInRowChunks() {
        // 8 MiB of F32: more than one write chunk, so the source is asked for consecutive row ranges.
        int cols = 1024;
        int rows = 2048;
        GGUFWriter w = new GGUFWriter().addTensor("big", TensorType.F32, cols, rows).addTensor("tail", TensorType.F32, 3);
        List<long[]> calls = new ArrayList<>();
        Path out = dir.resolve("big.gguf");
        w.write(out, (t, firstRow, n, dst) -> {
            calls.add(new long[] {firstRow, n});
            assertEquals(n * t.rowBytes(), dst.byteSize());
            for (long r = 0; r < n; r++) {
                for (int c = 0; c < t.shape()[0]; c++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, r * t.shape()[0] + c, (firstRow + r) * 10_000f + c);
                }
            }
        });
        assertTrue(calls.size() > 2, "chunked: " + calls.size() + " calls");
        long next = 0;
        for (long[] call : calls.subList(0, calls.size() - 1)) {
            assertEquals(next, call[0], "rows in order, none skipped");
            next += call[1];
        }
        assertEquals(rows, next);
        try (GGUFFile f = GGUFFile.open(out)) {
            MemorySegment big = f.data(f.tensor("big"));
            for (long r : new long[] {0, 1, 1023, 1024, 2047}) {
                for (int c : new int[] {0, 513, 1023}) {
                    assertEquals(r * 10_000f + c, big.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, r * cols + c));
                }
            }
        }
    }

    @Test
    void aFailedWriteLeavesNoFile() {
        Path out = dir.resolve("failed.gguf");
        GGUFWriter w = new GGUFWriter().addTensor("x", TensorType.F32, 8);
        assertThrows(IllegalStateException.class, () -> w.write(out, (t, r, n, dst) -> {
            throw new IllegalStateException("source broke");
        }));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("failed.gguf.part")));
    }

    @Test
    void rejectsWhatReadersWouldRefuse() {
        GGUFWriter w = new GGUFWriter();
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.INT16, 40_000));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.UINT32, -1L));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.INT32, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.STRING, 3));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", GGUFValueType.ARRAY, List.of(List.of(1))));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", GGUFValueType.UINT8, List.of(1, 300)));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32(GGUFWriter.ALIGNMENT_KEY, 48));
        assertThrows(IllegalArgumentException.class, () -> w.putInt32(GGUFWriter.ALIGNMENT_KEY, 32));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", TensorType.Q4_0, 48, 2));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", TensorType.F32, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("n".repeat(64), TensorType.F32, 4));
        w.addTensor("ok", TensorType.F32, 4);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("ok", TensorType.F32, 4));
        assertArrayEquals(new long[] {4}, w.tensors().getFirst().shape());
    }
}
