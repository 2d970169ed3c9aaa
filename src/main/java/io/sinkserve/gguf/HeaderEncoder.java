package io.sinkserve.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes the GGUF v3 header (counts, metadata, tensor index) little-endian into a growing buffer:
 * the writing counterpart of {@link HeaderCursor}.
 */
final class HeaderEncoder {
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer room(int n) {
        if (buf.remaining() < n) {
            long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
            ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(want)).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buf.flip());
            buf = bigger;
        }
        return buf;
    }

    void u8(int v) {
        room(1).put((byte) v);
    }

    void u16(int v) {
        room(2).putShort((short) v);
    }

    void u32(long v) {
        room(4).putInt((int) v);
    }

    void u64(long v) {
        room(8).putLong(v);
    }

    void string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u64(bytes.length);
        room(bytes.length).put(bytes);
    }

    /** One value of a scalar type; the value was checked against the type when it was added. */
    void value(GGUFValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> u8(((Number) v).intValue());
            case UINT16, INT16 -> u16(((Number) v).intValue());
            case UINT32, INT32 -> u32(((Number) v).longValue());
            case UINT64, INT64 -> u64(((Number) v).longValue());
            case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case BOOL -> u8((Boolean) v ? 1 : 0);
            case STRING -> string((String) v);
            case ARRAY -> throw new IllegalArgumentException("arrays are written with array()");
        }
    }

    void array(GGUFValueType elementType, List<?> values) {
        u32(elementType.id());
        u64(values.size());
        for (Object v : values) {
            value(elementType, v);
        }
    }

    int size() {
        return buf.position();
    }

    /** The encoded bytes, ready to be written. */
    ByteBuffer bytes() {
        return buf.duplicate().flip();
    }
}
