package io.sinkserve.model;

/** Receives next-token logits without a copy: {@code logits[offset .. offset + vocab)}, valid only during the call. */
@FunctionalInterface
public interface LogitsConsumer {
    /** {@code index}: which input token (or which sequence, for a decode step) these logits follow. */
    void accept(int index, float[] logits, int offset);
}
