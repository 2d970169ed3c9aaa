package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes GGUF v3 files laid out as ggml's own writer does: header, metadata, tensor index, padding
 * to {@code general.alignment} (default 32), then each tensor's data in index order, each padded to
 * the alignment, offsets contiguous. Tensor data streams from a {@link TensorSource} through a small
 * buffer, so multi-GB files never sit in memory. A file without tensors ends right after its
 * metadata, like llama.cpp's vocab-only files.
 */
public final class GGUFWriter {
    public static final int VERSION = 3;
    public static final String ALIGNMENT_KEY = "general.alignment";
    private static final int MAGIC = 0x46554747;
    private static final int DEFAULT_ALIGNMENT = 32;
    /** ggml keeps names in a 64-byte field with a terminating NUL. */
    private static final int MAX_NAME_BYTES = 63;
    private static final int MAX_DIMS = 4;
    private static final long CHUNK_BYTES = 4L << 20;

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, GGUFValueType> types = new LinkedHashMap<>();
    private final Map<String, GGUFValueType> elementTypes = new LinkedHashMap<>();
    private final Map<String, TensorInfo> declared = new LinkedHashMap<>();

    /** Sets a scalar metadata value written as {@code type}; numbers are range-checked for it. */
    public GGUFWriter put(String key, GGUFValueType type, Object value) {
        if (type == GGUFValueType.ARRAY) {
            throw new IllegalArgumentException("metadata " + key + ": use putArray for arrays");
        }
        Object v = scalar(key, type, value);
        // ggml reads the alignment as a u32 and requires a power of two; our reader caps it.
        if (key.equals(ALIGNMENT_KEY) && (type != GGUFValueType.UINT32 || Long.bitCount((Long) v) != 1
                || (Long) v > GGUFFile.MAX_ALIGNMENT)) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a u32 power of two up to "
                    + GGUFFile.MAX_ALIGNMENT + ", got " + type + " " + value);
        }
        values.put(key, v);
        types.put(key, type);
        elementTypes.remove(key);
        return this;
    }

    public GGUFWriter putString(String key, String value) {
        return put(key, GGUFValueType.STRING, value);
    }

    public GGUFWriter putUInt32(String key, long value) {
        return put(key, GGUFValueType.UINT32, value);
    }

    public GGUFWriter putInt32(String key, int value) {
        return put(key, GGUFValueType.INT32, value);
    }

    public GGUFWriter putFloat32(String key, float value) {
        return put(key, GGUFValueType.FLOAT32, value);
    }

    public GGUFWriter putBool(String key, boolean value) {
        return put(key, GGUFValueType.BOOL, value);
    }

    /** Sets an array of {@code elementType} values. Arrays of arrays are refused: ggml cannot read them. */
    public GGUFWriter putArray(String key, GGUFValueType elementType, List<?> elements) {
        if (key.equals(ALIGNMENT_KEY)) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a u32, not an array");
        }
        if (elementType == GGUFValueType.ARRAY) {
            throw new IllegalArgumentException("metadata " + key + ": nested arrays are not supported by ggml readers");
        }
        List<Object> checked = new ArrayList<>(elements.size());
        for (Object e : elements) {
            checked.add(scalar(key, elementType, e));
        }
        values.put(key, Collections.unmodifiableList(checked));
        types.put(key, GGUFValueType.ARRAY);
        elementTypes.put(key, elementType);
        return this;
    }

    /** Copies every key of {@code md}, with its on-disk type. */
    public GGUFWriter putAll(GGUFMetadata md) {
        return putAll(md, key -> true);
    }

    /** Copies the keys of {@code md} that {@code keys} accepts, with their on-disk types. */
    public GGUFWriter putAll(GGUFMetadata md, Predicate<String> keys) {
        for (String key : md.keys()) {
            if (!keys.test(key)) {
                continue;
            }
            GGUFValueType type = md.valueType(key);
            if (type == GGUFValueType.ARRAY) {
                putArray(key, md.elementType(key), (List<?>) md.get(key));
            } else {
                put(key, type, md.get(key));
            }
        }
        return this;
    }

    public GGUFWriter remove(String key) {
        values.remove(key);
        types.remove(key);
        elementTypes.remove(key);
        return this;
    }

    /** The metadata as it will be written (and read back). */
    public GGUFMetadata metadata() {
        return new GGUFMetadata(values, types, elementTypes);
    }

    /** Declares a tensor; data is written in declaration order. Shape is in ggml order (row length first). */
    public GGUFWriter addTensor(String name, TensorType type, long... shape) {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name must have 1.." + MAX_NAME_BYTES + " bytes: '" + name + "'");
        }
        if (declared.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        if (shape.length < 1 || shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor " + name + " needs 1.." + MAX_DIMS + " dimensions");
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor " + name + " has dimension " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + " row length " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        declared.put(name, new TensorInfo(name, type, shape.clone(), 0, type.byteSize(elements)));
        return this;
    }

    public int alignment() {
        Object a = values.get(ALIGNMENT_KEY);
        return a == null ? DEFAULT_ALIGNMENT : ((Number) a).intValue();
    }

    /** The tensor index as it will be written: offsets relative to the data section, each aligned. */
    public List<TensorInfo> tensors() {
        int alignment = alignment();
        List<TensorInfo> out = new ArrayList<>(declared.size());
        long offset = 0;
        for (TensorInfo t : declared.values()) {
            out.add(new TensorInfo(t.name(), t.type(), t.shape(), offset, t.byteSize()));
            offset = align(offset + t.byteSize(), alignment);
        }
        return out;
    }

    /** Size of the file {@link #write} produces. */
    public long fileSize() {
        List<TensorInfo> layout = tensors();
        long header = encodeHeader(layout).size();
        if (layout.isEmpty()) {
            return header;
        }
        TensorInfo last = layout.getLast();
        return align(header, alignment()) + align(last.offset() + last.byteSize(), alignment());
    }

    /**
     * Writes the file: into {@code out}.part first, renamed to {@code out} once complete, so a failed
     * or interrupted write never leaves a truncated model under the real name.
     */
    public void write(Path out, TensorSource source) {
        List<TensorInfo> layout = tensors();
        HeaderEncoder header = encodeHeader(layout);
        Path part = out.resolveSibling(out.getFileName() + ".part");
        try {
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); Arena arena = Arena.ofShared()) {
                // Shared: a source may fill the buffer from several threads.
                writeFully(ch, header.bytes());
                if (!layout.isEmpty()) {
                    padTo(ch, alignment());
                    MemorySegment buffer = arena.allocate(bufferBytes(layout), 64);
                    for (TensorInfo t : layout) {
                        writeTensor(ch, t, source, buffer);
                        padTo(ch, alignment());
                    }
                }
            }
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new GGUFException(out, "cannot write: " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
    }

    private static void writeTensor(FileChannel ch, TensorInfo t, TensorSource source, MemorySegment buffer)
            throws IOException {
        long rowBytes = t.rowBytes();
        long rowsPerChunk = Math.max(1, CHUNK_BYTES / rowBytes);
        for (long row = 0; row < t.rows(); row += rowsPerChunk) {
            long n = Math.min(rowsPerChunk, t.rows() - row);
            MemorySegment chunk = buffer.asSlice(0, n * rowBytes);
            source.fill(t, row, n, chunk);
            writeFully(ch, chunk.asByteBuffer());
        }
    }

    private static long bufferBytes(List<TensorInfo> layout) {
        long max = 1;
        for (TensorInfo t : layout) {
            max = Math.max(max, Math.min(t.byteSize(), Math.max(CHUNK_BYTES, t.rowBytes())));
        }
        return max;
    }

    private HeaderEncoder encodeHeader(List<TensorInfo> layout) {
        HeaderEncoder h = new HeaderEncoder();
        h.u32(MAGIC);
        h.u32(VERSION);
        h.u64(layout.size());
        h.u64(values.size());
        for (Map.Entry<String, Object> kv : values.entrySet()) {
            h.string(kv.getKey());
            GGUFValueType type = types.get(kv.getKey());
            h.u32(type.id());
            if (type == GGUFValueType.ARRAY) {
                h.array(elementTypes.get(kv.getKey()), (List<?>) kv.getValue());
            } else {
                h.value(type, kv.getValue());
            }
        }
        for (TensorInfo t : layout) {
            h.string(t.name());
            h.u32(t.shape().length);
            for (long d : t.shape()) {
                h.u64(d);
            }
            h.u32(t.type().id());
            h.u64(t.offset());
        }
        return h;
    }

    /** Checks that {@code value} fits {@code type} and converts it to what the reader returns for that type. */
    private static Object scalar(String key, GGUFValueType type, Object value) {
        return switch (type) {
            case UINT8 -> Integer.valueOf((int) ranged(key, type, value, 0, 0xFF));
            case INT8 -> Integer.valueOf((int) ranged(key, type, value, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT16 -> Integer.valueOf((int) ranged(key, type, value, 0, 0xFFFF));
            case INT16 -> Integer.valueOf((int) ranged(key, type, value, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT32 -> Long.valueOf(ranged(key, type, value, 0, 0xFFFF_FFFFL));
            case INT32 -> Integer.valueOf((int) ranged(key, type, value, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT64, INT64 -> Long.valueOf(ranged(key, type, value, Long.MIN_VALUE, Long.MAX_VALUE));
            case FLOAT32 -> Float.valueOf(((Number) typed(key, type, value, Number.class)).floatValue());
            case FLOAT64 -> Double.valueOf(((Number) typed(key, type, value, Number.class)).doubleValue());
            case BOOL -> typed(key, type, value, Boolean.class);
            case STRING -> typed(key, type, value, String.class);
            case ARRAY -> throw new IllegalArgumentException("metadata " + key + ": nested arrays are not supported");
        };
    }

    private static long ranged(String key, GGUFValueType type, Object value, long min, long max) {
        Object n = typed(key, type, value, Number.class);
        if (!(n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte)) {
            throw new IllegalArgumentException("metadata " + key + ": " + type + " needs an integer, got " + value);
        }
        long v = ((Number) n).longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException("metadata " + key + ": " + v + " does not fit " + type);
        }
        return v;
    }

    private static Object typed(String key, GGUFValueType type, Object value, Class<?> want) {
        if (!want.isInstance(value)) {
            throw new IllegalArgumentException("metadata " + key + ": " + type + " cannot hold " + value);
        }
        return value;
    }

    private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            ch.write(bytes);
        }
    }

    private static void padTo(FileChannel ch, int alignment) throws IOException {
        long pos = ch.position();
        int pad = (int) (align(pos, alignment) - pos);
        if (pad > 0) {
            writeFully(ch, ByteBuffer.allocate(pad));
        }
    }

    private static long align(long x, int alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the original failure is the one worth reporting
        }
    }
}
