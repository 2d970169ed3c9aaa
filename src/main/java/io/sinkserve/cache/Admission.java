package io.sinkserve.cache;

/**
 * What one token sees when it enters a cache: the slot its key and value go to, the sinks, the window as
 * it stands with the token in it, and the token's two positions. A chunk of tokens keeps one admission per
 * token, taken in order, so each token attends over exactly the cache it would have seen fed alone.
 * Reused across steps (no allocation per token).
 */
public final class Admission {
    int slot;
    int sinks;
    int windowStart;
    int windowCount;
    long position;
    long cachePosition;

    void set(int slot, int sinks, int windowStart, int windowCount, long position, long cachePosition) {
        this.slot = slot;
        this.sinks = sinks;
        this.windowStart = windowStart;
        this.windowCount = windowCount;
        this.position = position;
        this.cachePosition = cachePosition;
    }

    /** Storage slot of this token's key and value. */
    public int slot() {
        return slot;
    }

    /** Number of sink entries visible (cache positions 0..sinks-1). */
    public int sinks() {
        return sinks;
    }

    /** Number of window entries visible, oldest first, this token last (cache positions sinks..sinks+windowCount-1). */
    public int windowCount() {
        return windowCount;
    }

    /** Entries attended: sinks + window. */
    public int count() {
        return sinks + windowCount;
    }

    /** Position of the token in the whole stream (0-based); keys are rotated at these. */
    public long position() {
        return position;
    }

    /** Position of the token within the cache, as StreamingLLM assigns it (the last entry). */
    public long cachePosition() {
        return cachePosition;
    }
}
