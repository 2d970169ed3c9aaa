package io.sinkserve.cache;

import java.util.Random;
import java.util.zip.CRC32;

/**
 * Runs a fixed random stream through {@link Attention} (F32 read in place, F16 decoded, an odd head dim
 * padded; a window longer than a tile that wraps; two query heads per KV head) and prints the vector width and a CRC of every output's bits, for
 * {@link AttentionDeterminismTest} to compare across JVMs started with other widths and JIT tiers.
 */
public final class AttentionBits {
    private AttentionBits() {
    }

    public static void main(String[] args) {
        CRC32 crc = new CRC32();
        run(CacheConfig.streaming(4, 66), 64, crc);
        run(CacheConfig.streaming(4, 66).withStorage(KvStorage.F16), 64, crc);
        run(CacheConfig.streaming(4, 66).withStorage(KvStorage.F16), 12, crc);
        System.out.println(io.sinkserve.compute.VectorWidth.BITS + " " + Long.toHexString(crc.getValue()));
    }

    private static void run(CacheConfig config, int headDim, CRC32 crc) {
        int heads = 2;
        int kvHeads = 1;
        Rope rope = Rope.of(headDim, headDim, 10000, false, null);
        Attention attention = new Attention(rope);
        RopeTable sinkShift = new RopeTable(rope, 1);
        Admission[] admission = {new Admission()};
        Random rnd = new Random(headDim);
        try (SinkCache cache = new SinkCache(config, 1, kvHeads, headDim)) {
            for (int t = 0; t < config.capacity() + 2; t++) {
                float[] q = SinkCacheAttentionTest.gaussian(rnd, heads * headDim);
                float[] kv = SinkCacheAttentionTest.gaussian(rnd, kvHeads * headDim);
                cache.admit(admission, 0, 1);
                rope.rotate(q, 0, heads, admission[0].position());
                rope.rotate(kv, 0, kvHeads, admission[0].position());
                sinkShift.set(0, admission[0].cachePosition() - admission[0].position());
                float[] out = new float[heads * headDim];
                for (int h = 0; h < kvHeads; h++) {
                    cache.write(0, h, admission[0].slot(), kv, h * headDim, kv, h * headDim);
                    int off = h * 2 * headDim;
                    attention.attend(cache, 0, admission[0], h * 2, 2, h, q, off, out, off, sinkShift, 0, null);
                }
                for (float f : out) {
                    int bits = Float.floatToRawIntBits(f);
                    crc.update(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
                }
            }
        }
    }
}
