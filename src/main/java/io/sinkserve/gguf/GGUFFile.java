package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (v1, v2, v3) mapped read-only with FFM: tensor data is never copied onto the heap and
 * files beyond 2 GB work. The mapping lives until {@link #close()}.
 */
public final class GGUFFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int DEFAULT_ALIGNMENT = 32;
    /** Largest general.alignment accepted; real files use 32 (a few use 64 or page size). */
    static final int MAX_ALIGNMENT = 1 << 20;
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 4;
    /** Real vocabularies have up to a few hundred thousand entries; far more means a corrupt length. */
    private static final long MAX_ARRAY_LENGTH = 1L << 24;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final GGUFMetadata metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final long dataStart;
    private final int alignment;

    private GGUFFile(Path path, Arena arena, MemorySegment file) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        HeaderCursor magicCursor = new HeaderCursor(file, path, 0, false);
        int magic = magicCursor.i32("magic");
        if (magic != MAGIC) {
            throw new GGUFException(path, String.format("not a GGUF file (magic 0x%08x)", magic));
        }
        long v = magicCursor.u32("version");
        if (v == 0 || v > 3) {
            throw new GGUFException(path, "unsupported GGUF version " + v
                    + (Long.reverseBytes(v << 32) <= 3 ? " (big-endian files are not supported)" : ""));
        }
        this.version = (int) v;
        HeaderCursor in = new HeaderCursor(file, path, magicCursor.position(), version >= 2);
        // A tensor info takes at least name length + dims count + one dim + type + offset.
        long tensorCount = in.count("tensor count", version >= 2 ? 8 + 4 + 8 + 4 + 8 : 4 + 4 + 4 + 4 + 8);
        long kvCount = in.count("metadata count", version >= 2 ? 8 + 4 + 1 : 4 + 4 + 1);
        Map<String, Object> kv = new LinkedHashMap<>();
        Map<String, GGUFValueType> types = new LinkedHashMap<>();
        Map<String, GGUFValueType> elementTypes = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            if (kv.containsKey(key)) {
                throw new GGUFException(path, "duplicate metadata key " + key);
            }
            GGUFValueType type = valueType(in.u32("type of " + key), key);
            types.put(key, type);
            if (type == GGUFValueType.ARRAY) {
                GGUFValueType elem = valueType(in.u32("array type of " + key), key);
                elementTypes.put(key, elem);
                kv.put(key, readArrayOf(in, elem, key, 0));
            } else {
                kv.put(key, readValue(in, type, key, 0));
            }
        }
        this.metadata = new GGUFMetadata(kv, types, elementTypes);
        this.alignment = alignmentOf(metadata);
        List<TensorInfo> infos = new ArrayList<>((int) tensorCount);
        Map<String, TensorInfo> names = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            TensorInfo t = readTensorInfo(in, i);
            if (names.put(t.name(), t) != null) {
                throw new GGUFException(path, "duplicate tensor name " + t.name());
            }
            infos.add(t);
        }
        this.dataStart = align(in.position(), alignment);
        long dataBytes = file.byteSize() - dataStart;
        for (TensorInfo t : infos) {
            if (t.offset() % alignment != 0) {
                throw new GGUFException(path, "tensor " + t.name() + " offset " + Long.toUnsignedString(t.offset())
                        + " is not aligned to " + alignment);
            }
            // Compared as remaining room, so that huge offsets or sizes cannot overflow into a pass.
            if (t.offset() < 0 || t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                throw new GGUFException(path, "tensor " + t.name() + " data (" + t.byteSize() + " bytes at data offset "
                        + Long.toUnsignedString(t.offset()) + ") lies past the end of the file (" + file.byteSize()
                        + " bytes, data section starts at " + dataStart + "): truncated?");
            }
        }
        this.tensors = Collections.unmodifiableList(infos);
        this.byName = Collections.unmodifiableMap(names);
    }

    /** Opens and maps a GGUF file; any problem with it is a GGUFException naming the file. */
    public static GGUFFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new GGUFException(path, "empty file");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new GGUFFile(path, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new GGUFException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    public GGUFMetadata metadata() {
        return metadata;
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor with this name, or null. */
    public TensorInfo tensor(String name) {
        return byName.get(name);
    }

    /** The tensor's bytes: a zero-copy slice of the mapped file. */
    public MemorySegment data(TensorInfo t) {
        return file.asSlice(dataStart + t.offset(), t.byteSize());
    }

    /** The bytes before the tensor data: header, metadata and tensor index (a zero-copy slice). */
    public MemorySegment headerBytes() {
        return file.asSlice(0, Math.min(dataStart, file.byteSize()));
    }

    /** Offset of the tensor data section in the file. */
    public long dataStart() {
        return dataStart;
    }

    @Override
    public void close() {
        arena.close();
    }

    private GGUFValueType valueType(long id, String key) {
        GGUFValueType t = GGUFValueType.byId(id);
        if (t == null) {
            throw new GGUFException(path, "metadata " + key + " has unknown value type " + id);
        }
        return t;
    }

    private Object readValue(HeaderCursor in, GGUFValueType type, String key, int depth) {
        return switch (type) {
            case UINT8 -> in.u8(key);
            case INT8 -> (int) (byte) in.u8(key);
            case UINT16 -> in.u16(key);
            case INT16 -> (int) (short) in.u16(key);
            case UINT32 -> in.u32(key);
            case INT32 -> in.i32(key);
            case FLOAT32 -> Float.intBitsToFloat(in.i32(key));
            case BOOL -> readBool(in, key);
            case STRING -> in.string(key);
            case UINT64, INT64 -> in.i64(key);
            case FLOAT64 -> Double.longBitsToDouble(in.i64(key));
            case ARRAY -> readArray(in, key, depth);
        };
    }

    private Boolean readBool(HeaderCursor in, String key) {
        int b = in.u8(key);
        if (b > 1) {
            throw new GGUFException(path, "metadata " + key + " is a bool with value " + b);
        }
        return b == 1;
    }

    private List<Object> readArray(HeaderCursor in, String key, int depth) {
        return readArrayOf(in, valueType(in.u32("array type of " + key), key), key, depth);
    }

    private List<Object> readArrayOf(HeaderCursor in, GGUFValueType elem, String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw new GGUFException(path, "metadata " + key + " nests arrays deeper than " + MAX_ARRAY_NESTING);
        }
        long minSize = elem.size() > 0 ? elem.size() : (elem == GGUFValueType.STRING ? (version >= 2 ? 8 : 4) : 4);
        long n = in.count("array length of " + key, minSize);
        if (n > MAX_ARRAY_LENGTH) {
            throw new GGUFException(path, "metadata " + key + " is an array of " + n + " elements (more than "
                    + MAX_ARRAY_LENGTH + ": corrupt?)");
        }
        List<Object> out = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            out.add(readValue(in, elem, key, depth + 1));
        }
        return Collections.unmodifiableList(out);
    }

    private TensorInfo readTensorInfo(HeaderCursor in, long index) {
        String name = in.string("name of tensor #" + index);
        long nDims = in.u32("dimension count of " + name);
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw new GGUFException(path, "tensor " + name + " has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
        }
        long[] shape = new long[(int) nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            shape[d] = version >= 2 ? in.i64("dimension of " + name) : in.u32("dimension of " + name);
            if (shape[d] <= 0) {
                throw new GGUFException(path, "tensor " + name + " has an invalid dimension " + shape[d]);
            }
            if (elements > Long.MAX_VALUE / shape[d]) {
                throw new GGUFException(path, "tensor " + name + " has more than 2^63 elements");
            }
            elements *= shape[d];
        }
        long typeId = in.u32("type of " + name);
        TensorType type = typeId <= Integer.MAX_VALUE ? TensorType.byId((int) typeId) : null;
        if (type == null) {
            throw new GGUFException(path, "tensor " + name + " has tensor type " + GgmlTypeNames.describe(typeId)
                    + ", which sinkserve does not support (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new GGUFException(path, "tensor " + name + " row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long offset = in.i64("data offset of " + name);
        if (elements / type.blockSize() > Long.MAX_VALUE / type.bytesPerBlock()) {
            throw new GGUFException(path, "tensor " + name + " is too large: " + elements + " elements");
        }
        return new TensorInfo(name, type, shape, offset, type.byteSize(elements));
    }

    private int alignmentOf(GGUFMetadata md) {
        Object a = md.get("general.alignment");
        if (a == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(a instanceof Integer || a instanceof Long) || ((Number) a).longValue() <= 0
                || ((Number) a).longValue() > MAX_ALIGNMENT || Long.bitCount(((Number) a).longValue()) != 1) {
            throw new GGUFException(path, "general.alignment must be a power of two up to 1 MiB, got " + a);
        }
        return ((Number) a).intValue();
    }

    private static long align(long x, int alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }
}
