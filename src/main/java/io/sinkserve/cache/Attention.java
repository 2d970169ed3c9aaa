package io.sinkserve.cache;

import io.sinkserve.compute.FloatOps;

/**
 * Scaled dot-product attention of one query head over a {@link SinkCache} as a {@link CacheView} sees it,
 * with StreamingLLM positions: window keys are scored with the query at its stream position (the window is
 * contiguous, so distances are unchanged), sink keys with the query rotated to its cache position.
 * One instance per worker thread: it owns the score buffer.
 */
public final class Attention {
    private final Rope rope;
    private final float scale;
    private final float[] sinkQuery;
    private float[] scores = new float[0];

    public Attention(Rope rope) {
        this.rope = rope;
        this.scale = (float) (1.0 / Math.sqrt(rope.headDim()));
        this.sinkQuery = new float[rope.headDim()];
    }

    /**
     * Writes the attention output of query head {@code head} into {@code out[outOff .. outOff + headDim)}.
     * {@code q[qOff ..]} is that head's query, rotated at {@code view.position()}.
     */
    public void attend(SinkCache cache, int layer, CacheView view, float[] q, int qOff, int head, int kvHead,
                       float[] out, int outOff, AttentionObserver observer) {
        int headDim = rope.headDim();
        int n = view.count();
        if (scores.length < cache.capacity()) {
            scores = new float[cache.capacity()];
        }
        float[] s = scores;
        if (view.sinks > 0) {
            float[] sq = q;
            int sqOff = qOff;
            long shift = view.cachePosition - view.position;
            if (shift != 0) {
                System.arraycopy(q, qOff, sinkQuery, 0, headDim);
                rope.rotate(sinkQuery, 0, 1, shift);
                sq = sinkQuery;
                sqOff = 0;
            }
            for (int j = 0; j < view.sinks; j++) {
                s[j] = cache.keyDot(layer, kvHead, j, sq, sqOff) * scale;
            }
        }
        for (int i = 0; i < view.windowCount; i++) {
            s[view.sinks + i] = cache.keyDot(layer, kvHead, cache.windowSlot(view, i), q, qOff) * scale;
        }
        FloatOps.softmax(s, 0, n);
        if (observer != null) {
            observer.observe(layer, head, view, s);
        }
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < view.sinks; j++) {
            cache.addValue(layer, kvHead, j, s[j], out, outOff);
        }
        for (int i = 0; i < view.windowCount; i++) {
            cache.addValue(layer, kvHead, cache.windowSlot(view, i), s[view.sinks + i], out, outOff);
        }
    }
}
