package io.sinkserve.cache;

/**
 * Sees the attention weights of every query head (diagnostics such as the share of attention on the first
 * tokens). {@code weights[0 .. admission.count())} are in cache order: the sinks, then the window oldest first.
 * Called from compute worker threads, concurrently for different heads; for one sequence never twice at
 * once for the same layer and head (an observer shared by sequences decoded in one step can be). The array
 * is reused after the call returns.
 */
@FunctionalInterface
public interface AttentionObserver {
    void observe(int layer, int head, Admission admission, float[] weights);
}
