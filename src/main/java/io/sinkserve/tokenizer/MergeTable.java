package io.sinkserve.tokenizer;

/**
 * The BPE merge list as an open-addressing hash table: (left id, right id) → (rank, merged id).
 * Hundreds of thousands of merges stay compact and lookups do not box.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;

    MergeTable(int capacityHint) {
        int cap = Integer.highestOneBit(Math.max(16, capacityHint * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        mask = cap - 1;
        java.util.Arrays.fill(keys, EMPTY);
    }

    /** Keeps the first (best-ranked) entry for a pair. */
    void put(int left, int right, int rank, int merged) {
        long key = key(left, right);
        int i = slot(key);
        while (keys[i] != EMPTY) {
            if (keys[i] == key) {
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
    }

    /** (rank << 32 | merged id), or -1 when the pair does not merge. */
    long find(int left, int right) {
        long key = key(left, right);
        for (int i = slot(key); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return -1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
