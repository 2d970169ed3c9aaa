package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Truncated, bit-flipped and hand-crafted corrupt files: every one must end in a GGUFException that
 * names the file, never another exception, an OutOfMemoryError or a hang.
 */
class GGUFCorruptionTest {
    private static final int MAGIC = 0x46554747;

    @TempDir
    Path dir;
    private int cases;

    @Test
    void cuttingAtEveryByteOfTheHeaderIsAClearError() throws IOException {
        // Every value type, arrays and tensor infos: each cut stops inside a different field.
        Path small = smallFile();
        byte[] bytes = Files.readAllBytes(small);
        for (int len = 0; len <= headerEnd(small); len++) {
            expectClearError(Arrays.copyOf(bytes, len), "cut at " + len);
        }
    }

    @Test
    void cuttingStories260KInItsHeaderIsAClearError() throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.stories260K());
        int dataStart = headerEnd(TestFiles.stories260K());
        int tensorIndex = dataStart - 3000; // the 48 tensor infos take the last ~2.6 KB before the padding
        // Every byte of the fixed header and first keys, every third byte of the tensor index, a sample between:
        // the small file above covers every byte of every field kind.
        for (int len = 0; len <= dataStart; len += len < 512 ? 1 : len >= tensorIndex ? 3 : 29) {
            expectClearError(Arrays.copyOf(bytes, len), "cut at " + len);
        }
    }

    @Test
    void cuttingATensorlessFileInsideItsMetadataIsAClearError() throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.model("vocab-only/ggml-vocab-phi-3.gguf"));
        Random random = new Random(7);
        for (int i = 0; i < 24; i++) {
            int len = i < 12 ? i * 13 : random.nextInt(bytes.length);
            expectClearError(Arrays.copyOf(bytes, len), "cut at " + len);
        }
    }

    @Test
    void randomByteFlipsInTheHeaderNeverEscapeAsOtherErrors() throws IOException {
        // A small file where almost every header byte is structure, and the real stories260K header.
        Path small = smallFile();
        fuzz(Files.readAllBytes(small), headerEnd(small), 1200, 42);
        fuzz(Files.readAllBytes(TestFiles.stories260K()), headerEnd(TestFiles.stories260K()), 150, 43);
    }

    /** A file with every metadata value type and every tensor type. */
    private Path smallFile() {
        Path small = dir.resolve("small.gguf");
        try (Arena arena = Arena.ofConfined()) {
            GGUFWriter w = GGUFWriterTest.everything();
            Map<String, MemorySegment> data = GGUFWriterTest.randomData(w.tensors(), arena);
            w.write(small, TensorSource.copyOf(t -> data.get(t.name())));
        }
        return small;
    }

    private void fuzz(byte[] original, int headerEnd, int rounds, long seed) throws IOException {
        Random random = new Random(seed);
        int opened = 0;
        for (int round = 0; round < rounds; round++) {
            byte[] bytes = original.clone();
            int flips = 1 + random.nextInt(4);
            StringBuilder what = new StringBuilder("seed " + seed + " round " + round + ":");
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(headerEnd);
                byte to = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) (bytes[at] ^ (1 << random.nextInt(8)));
                bytes[at] = to;
                what.append(' ').append(at).append('=').append(to);
            }
            Path mutant = fresh(bytes);
            try (GGUFFile f = GGUFFile.open(mutant)) {
                // A flip in a string or a value may leave a valid file: then every tensor must be in bounds.
                for (TensorInfo t : f.tensors()) {
                    MemorySegment d = f.data(t);
                    assertEquals(t.byteSize(), d.byteSize());
                    d.get(ValueLayout.JAVA_BYTE, d.byteSize() - 1);
                }
                opened++;
            } catch (GGUFException e) {
                assertTrue(e.getMessage().startsWith(mutant.toString()), what + " " + e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError(what + " escaped as " + e, e);
            }
            Files.delete(mutant);
        }
        assertTrue(opened < rounds, "the flips must have broken some files");
    }

    private static int headerEnd(Path p) {
        try (GGUFFile f = GGUFFile.open(p)) {
            return (int) f.dataStart();
        }
    }

    // ---- hand-crafted headers -------------------------------------------------------------------

    @Test
    void badVersions() throws IOException {
        assertProblem("version 0", h -> header(h, 0, 0, 0));
        assertProblem("version 4", h -> header(h, 4, 0, 0));
        assertProblem("big-endian", h -> header(h, Integer.reverseBytes(3), 0, 0));
        assertProblem("not a GGUF file", h -> h.u32(0x46554746));
    }

    @Test
    void absurdCounts() throws IOException {
        assertProblem("absurd tensor count", h -> header(h, 3, 1L << 62, 0));
        assertProblem("absurd tensor count", h -> header(h, 3, -1, 0));
        assertProblem("absurd metadata count", h -> header(h, 3, 0, Long.MAX_VALUE));
        assertProblem("absurd metadata count", h -> header(h, 3, 0, 1_000_000));
    }

    @Test
    void absurdStringLengths() throws IOException {
        for (long len : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 7, 1L << 62, -1, -8, 1L << 32}) {
            assertProblem("length", h -> {
                header(h, 3, 0, 1);
                h.u64(len);
                h.u64(0);
            });
        }
        assertProblem("length", h -> {
            header(h, 3, 0, 1);
            h.string("k");
            h.u32(GGUFValueType.STRING.id());
            h.u64(Long.MAX_VALUE - 1);
        });
    }

    @Test
    void badMetadataValues() throws IOException {
        assertProblem("unknown value type 13", h -> kv(h, "k", 13));
        assertProblem("unknown value type 4294967295", h -> kv(h, "k", -1));
        assertProblem("bool with value 2", h -> {
            kv(h, "k", GGUFValueType.BOOL.id());
            h.u8(2);
        });
        assertProblem("array length", h -> {
            kv(h, "k", GGUFValueType.ARRAY.id());
            h.u32(GGUFValueType.UINT64.id());
            h.u64(Long.MAX_VALUE / 4);
        });
        assertProblem("unknown value type 77", h -> {
            kv(h, "k", GGUFValueType.ARRAY.id());
            h.u32(77);
            h.u64(1);
        });
        assertProblem("nests arrays deeper", h -> {
            kv(h, "k", GGUFValueType.ARRAY.id());
            for (int i = 0; i < 10; i++) {
                h.u32(GGUFValueType.ARRAY.id());
                h.u64(1);
            }
        });
        assertProblem("duplicate metadata key", h -> {
            header(h, 3, 0, 2);
            for (int i = 0; i < 2; i++) {
                h.string("same");
                h.u32(GGUFValueType.UINT8.id());
                h.u8(1);
            }
        });
    }

    @Test
    void badAlignments() throws IOException {
        for (long a : new long[] {0, 3, 48, 1L << 31, 0xFFFF_FFFFL}) {
            assertProblem("general.alignment", h -> {
                kv(h, "general.alignment", GGUFValueType.UINT32.id());
                h.u32(a);
            });
        }
        assertProblem("general.alignment", h -> {
            kv(h, "general.alignment", GGUFValueType.FLOAT32.id());
            h.u32(Float.floatToIntBits(32f));
        });
        assertProblem("general.alignment", h -> {
            kv(h, "general.alignment", GGUFValueType.STRING.id());
            h.string("32");
        });
    }

    @Test
    void badTensorInfos() throws IOException {
        assertProblem("0 dimensions", h -> tensor(h, "t", new long[0], 0, 0));
        assertProblem("5 dimensions", h -> tensor(h, "t", new long[] {1, 1, 1, 1, 1}, 0, 0));
        assertProblem("invalid dimension 0", h -> tensor(h, "t", new long[] {4, 0}, 0, 0));
        assertProblem("invalid dimension -4", h -> tensor(h, "t", new long[] {-4}, 0, 0));
        assertProblem("more than 2^63 elements", h -> tensor(h, "t", new long[] {1L << 40, 1L << 40}, 0, 0));
        assertProblem("too large", h -> tensor(h, "t", new long[] {1L << 31, 1L << 31}, 0, 0));
        assertProblem("Q4_1 (id 3), which sinkserve does not support", h -> tensor(h, "t", new long[] {32}, 3, 0));
        assertProblem("id 999 (unknown to ggml)", h -> tensor(h, "t", new long[] {32}, 999, 0));
        assertProblem("id 4294967295", h -> tensor(h, "t", new long[] {32}, -1, 0));
        assertProblem("not a multiple of the Q4_0 block size", h -> tensor(h, "t", new long[] {33}, TensorType.Q4_0.id(), 0));
        assertProblem("not aligned", h -> tensor(h, "t", new long[] {8}, 0, 4));
        assertProblem("past the end of the file", h -> tensor(h, "t", new long[] {8}, 0, 1L << 40));
        assertProblem("past the end of the file", h -> tensor(h, "t", new long[] {8}, 0, Long.MAX_VALUE - 31));
        assertProblem("past the end of the file", h -> tensor(h, "t", new long[] {8}, 0, -32));
        assertProblem("past the end of the file", h -> tensor(h, "t", new long[] {1 << 20}, 0, 0));
        assertProblem("duplicate tensor name", h -> {
            header(h, 3, 2, 0);
            for (int i = 0; i < 2; i++) {
                tensorInfo(h, "t", new long[] {8}, 0, 32L * i);
            }
        });
    }

    /** Header of a v3 file with one metadata key of the given type id; the caller writes the value. */
    private static void kv(HeaderEncoder h, String key, int typeId) {
        header(h, 3, 0, 1);
        h.string(key);
        h.u32(typeId);
    }

    private static void tensor(HeaderEncoder h, String name, long[] shape, int typeId, long offset) {
        header(h, 3, 1, 0);
        tensorInfo(h, name, shape, typeId, offset);
    }

    private static void tensorInfo(HeaderEncoder h, String name, long[] shape, int typeId, long offset) {
        h.string(name);
        h.u32(shape.length);
        for (long d : shape) {
            h.u64(d);
        }
        h.u32(typeId);
        h.u64(offset);
    }

    private static void header(HeaderEncoder h, int version, long tensors, long kvs) {
        h.u32(MAGIC);
        h.u32(version);
        h.u64(tensors);
        h.u64(kvs);
    }

    /** Writes the crafted header followed by 256 zero bytes, and expects a GGUFException mentioning {@code problem}. */
    private void assertProblem(String problem, Consumer<HeaderEncoder> body) throws IOException {
        HeaderEncoder h = new HeaderEncoder();
        body.accept(h);
        ByteBuffer header = h.bytes();
        byte[] bytes = new byte[header.remaining() + 256];
        header.get(bytes, 0, header.remaining());
        GGUFException e = expectClearError(bytes, problem);
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    private GGUFException expectClearError(byte[] bytes, String what) throws IOException {
        Path p = fresh(bytes);
        try {
            GGUFFile.open(p).close();
        } catch (GGUFException e) {
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            return e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": escaped as " + e, e);
        } finally {
            Files.delete(p);
        }
        return fail(what + ": opened without error");
    }

    /**
     * A new file per case: re-writing one truncated file makes ext4 flush it to disk each time
     * (its replace-via-truncate heuristic), which is 10x slower than writing fresh files.
     */
    private Path fresh(byte[] bytes) throws IOException {
        Path p = dir.resolve("case" + cases++ + ".gguf");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void assertProblemCatchesAValidFile() {
        // Guards the helper itself: a well-formed crafted file must not count as "corrupt".
        assertThrows(AssertionError.class, () -> assertProblem("anything", h -> header(h, 3, 0, 0)));
    }
}
