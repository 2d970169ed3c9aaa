package io.sinkserve.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads the GGUF header from the mapped file with a bounds check on every read, so a truncated or
 * corrupt file ends in a GGUFException naming the offset instead of a crash or a huge allocation.
 * Version 1 stores lengths and counts as u32; versions 2 and 3 as u64.
 */
final class HeaderCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Longest string accepted in the header; real keys and tokens are far shorter, templates a few KB. */
    private static final long MAX_STRING = 64L << 20;
    /**
     * Longest header (metadata + tensor index) accepted. Real ones stay under ~20 MB even with 256k-token
     * vocabularies; the cap keeps a corrupt count from filling the heap with gigabytes of tensor data read as strings.
     */
    static final long MAX_HEADER = 128L << 20;

    private final MemorySegment file;
    private final Path path;
    private final boolean wideCounts;
    private final long limit;
    private long pos;

    HeaderCursor(MemorySegment file, Path path, long start, boolean wideCounts) {
        this.file = file;
        this.path = path;
        this.pos = start;
        this.wideCounts = wideCounts;
        this.limit = Math.min(file.byteSize(), MAX_HEADER);
    }

    long position() {
        return pos;
    }

    /** Bytes the header may still take. */
    long remaining() {
        return limit - pos;
    }

    private void need(long n, String what) {
        if (n < 0 || n > remaining()) {
            if (limit < file.byteSize()) {
                throw new GGUFException(path, what + " at offset " + pos + " needs " + n + " bytes, beyond the "
                        + (MAX_HEADER >> 20) + " MiB a GGUF header may take: corrupt?");
            }
            throw new GGUFException(path, "truncated: " + what + " at offset " + pos + " needs " + n
                    + " bytes, file has " + remaining() + " left");
        }
    }

    int u8(String what) {
        need(1, what);
        return Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, pos++));
    }

    int u16(String what) {
        need(2, what);
        int v = Short.toUnsignedInt(file.get(U16, pos));
        pos += 2;
        return v;
    }

    int i32(String what) {
        need(4, what);
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    long u32(String what) {
        return Integer.toUnsignedLong(i32(what));
    }

    long i64(String what) {
        need(8, what);
        long v = file.get(U64, pos);
        pos += 8;
        return v;
    }

    /** A count or length: u32 in v1, u64 after; rejects values no file of this size could hold. */
    long count(String what, long minBytesEach) {
        long n = wideCounts ? i64(what) : u32(what);
        if (n < 0 || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw new GGUFException(path, "absurd " + what + " " + Long.toUnsignedString(n) + " at offset "
                    + (pos - (wideCounts ? 8 : 4)) + " (header has at most " + remaining() + " bytes left)");
        }
        return n;
    }

    String string(String what) {
        long len = count(what + " length", 1);
        if (len > MAX_STRING) {
            throw new GGUFException(path, what + " length " + len + " exceeds " + MAX_STRING + " bytes");
        }
        need(len, what);
        byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
