package io.sinkserve.generate;

/**
 * A per-generation rule on which tokens may come next (e.g. only those that keep a JSON document valid).
 * Single-threaded, like the generation that owns it.
 */
public interface TokenMask {
    /** Sets every token that may not come next to negative infinity; never leaves no token allowed. */
    void mask(float[] logits);

    /** Advances the rule past a sampled token. */
    void accept(int token);
}
