package io.sinkserve.cache;

/** How cached keys and values are stored. F16 halves the memory per session at a small precision cost. */
public enum KvStorage {
    F32(4),
    F16(2);

    private final int bytes;

    KvStorage(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per stored element. */
    public int bytes() {
        return bytes;
    }
}
