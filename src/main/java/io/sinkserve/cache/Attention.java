package io.sinkserve.cache;

import io.sinkserve.compute.FloatOps;

import java.util.Arrays;

/**
 * Scaled dot-product attention of the query heads that share one KV head, over a {@link SinkCache} as a
 * {@link CacheView} sees it, with StreamingLLM positions: window keys are scored with the query at its
 * stream position (the window is contiguous, so distances are unchanged), sink keys with the query rotated
 * to its cache position. The view's keys and values are gathered once into float buffers (decoding F16
 * once) and shared by the group's heads (GQA). One instance per worker thread: it owns the buffers.
 */
public final class Attention {
    private final Rope rope;
    private final int headDim;
    private final float scale;
    private final float[] sinkQuery;
    private float[] keys = new float[0];
    private float[] values = new float[0];
    private float[] scores = new float[0];

    public Attention(Rope rope) {
        this.rope = rope;
        this.headDim = rope.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.sinkQuery = new float[headDim];
    }

    /**
     * Attention output of query heads {@code firstHead .. firstHead + heads - 1}, which all read KV head
     * {@code kvHead}: head {@code firstHead + h} reads its query (rotated at {@code view.position()}) from
     * {@code q[qOff + h * headDim ..]} and writes its output to {@code out[outOff + h * headDim ..]}.
     */
    public void attend(SinkCache cache, int layer, CacheView view, int firstHead, int heads, int kvHead,
                       float[] q, int qOff, float[] out, int outOff, AttentionObserver observer) {
        int n = view.count();
        if (scores.length < cache.capacity()) {
            // Grows to the largest cache this thread has served, once.
            scores = new float[cache.capacity()];
            keys = new float[cache.capacity() * headDim];
            values = new float[cache.capacity() * headDim];
        }
        cache.readKeys(layer, kvHead, view, keys);
        cache.readValues(layer, kvHead, view, values);
        long shift = view.cachePosition - view.position;
        for (int h = 0; h < heads; h++) {
            int qh = qOff + h * headDim;
            float[] sq = q;
            int sqOff = qh;
            if (view.sinks > 0 && shift != 0) {
                System.arraycopy(q, qh, sinkQuery, 0, headDim);
                rope.rotate(sinkQuery, 0, 1, shift);
                sq = sinkQuery;
                sqOff = 0;
            }
            for (int j = 0; j < view.sinks; j++) {
                scores[j] = FloatOps.dot(sq, sqOff, keys, j * headDim, headDim) * scale;
            }
            for (int j = view.sinks; j < n; j++) {
                scores[j] = FloatOps.dot(q, qh, keys, j * headDim, headDim) * scale;
            }
            FloatOps.softmax(scores, 0, n);
            if (observer != null) {
                observer.observe(layer, firstHead + h, view, scores);
            }
            int oh = outOff + h * headDim;
            Arrays.fill(out, oh, oh + headDim, 0f);
            for (int j = 0; j < n; j++) {
                FloatOps.axpy(scores[j], values, j * headDim, out, oh, headDim);
            }
        }
    }
}
