package io.sinkserve.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * What a sequence remembers of the tokens it was fed, in bounded memory: the last {@code keep} of them exactly
 * (what sampling penalties look back at) and, for all of them, their count and a 128-bit polynomial hash, so
 * "does this prompt start with everything fed so far?" is answered exactly for the kept tail and by the hash
 * for the older part, without keeping an ever-growing history. Supports the same checkpoint and rollback as the
 * cache it accompanies.
 */
final class TokenTrail {
    // two polynomial hashes modulo 2^61 - 1 with different bases: a false match needs both to collide
    private static final long MOD = (1L << 61) - 1;
    private static final long BASE1 = 1_000_003L;
    private static final long BASE2 = 998_244_353L;

    private final int[] ring;
    private long count;
    private long hash1;
    private long hash2;
    private Mark mark;

    private record Mark(long count, long hash1, long hash2, int[] ring) {
    }

    TokenTrail(int keep) {
        this.ring = new int[Math.max(1, keep)];
    }

    long count() {
        return count;
    }

    /** Bytes held (the kept tail; an open checkpoint's copy of it too). */
    long bytes() {
        return 4L * ring.length * (mark == null ? 1 : 2);
    }

    void add(int[] tokens, int off, int n) {
        for (int i = off; i < off + n; i++) {
            int t = tokens[i];
            ring[(int) (count % ring.length)] = t;
            count++;
            hash1 = step(hash1, BASE1, t);
            hash2 = step(hash2, BASE2, t);
        }
    }

    private static long step(long h, long base, int token) {
        return Math.floorMod(mulMod(h, base) + token + 1, MOD);
    }

    private static long mulMod(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        // (hi * 2^64 + lo) mod (2^61 - 1), with 2^61 = 1 (mod)
        long r = (lo & MOD) + (lo >>> 61) + (hi << 3);
        r = (r & MOD) + (r >>> 61);
        return r >= MOD ? r - MOD : r;
    }

    /** The last {@code n} tokens fed (fewer if fewer were, or if fewer are kept), oldest first. */
    int[] last(int n) {
        int k = (int) Math.min(Math.min(n, count), ring.length);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = ring[(int) ((count - k + i) % ring.length)];
        }
        return out;
    }

    /** True when {@code prompt} starts with every token fed so far and has more. */
    boolean isPrefixOf(int[] prompt) {
        if (count == 0 || count >= prompt.length) {
            return false;
        }
        int n = (int) count;
        int kept = Math.min(n, ring.length);
        if (!Arrays.equals(last(kept), 0, kept, prompt, n - kept, n)) {
            return false;
        }
        long h1 = 0;
        long h2 = 0;
        for (int i = 0; i < n; i++) {
            h1 = step(h1, BASE1, prompt[i]);
            h2 = step(h2, BASE2, prompt[i]);
        }
        return h1 == hash1 && h2 == hash2;
    }

    void checkpoint() {
        mark = new Mark(count, hash1, hash2, ring.clone());
    }

    void commit() {
        mark = null;
    }

    void rollback() {
        Mark m = mark;
        if (m == null) {
            return;
        }
        mark = null;
        count = m.count;
        hash1 = m.hash1;
        hash2 = m.hash2;
        System.arraycopy(m.ring, 0, ring, 0, ring.length);
    }

    void copyFrom(TokenTrail other) {
        if (other.ring.length != ring.length) {
            throw new IllegalArgumentException("trails of different lengths");
        }
        System.arraycopy(other.ring, 0, ring, 0, ring.length);
        count = other.count;
        hash1 = other.hash1;
        hash2 = other.hash2;
    }

    void write(DataOutputStream o) throws IOException {
        o.writeInt(ring.length);
        o.writeLong(count);
        o.writeLong(hash1);
        o.writeLong(hash2);
        for (int t : ring) {
            o.writeInt(t);
        }
    }

    static TokenTrail read(DataInputStream i) throws IOException {
        int keep = i.readInt();
        long count = i.readLong();
        if (keep < 1 || keep > 1 << 28 || count < 0) {
            throw new IOException("corrupt sequence snapshot: a token trail of " + keep + " kept, " + count + " fed");
        }
        TokenTrail t = new TokenTrail(keep);
        t.count = count;
        t.hash1 = i.readLong();
        t.hash2 = i.readLong();
        for (int k = 0; k < keep; k++) {
            t.ring[k] = i.readInt();
        }
        return t;
    }

    void reset() {
        count = 0;
        hash1 = 0;
        hash2 = 0;
        mark = null;
    }
}
