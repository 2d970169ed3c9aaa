package io.sinkserve.generate.json;

/** A JSON string whose length in code points (JSON Schema's measure) lies in [minLength, maxLength]. */
final class StringShape extends Node {
    static final int UNBOUNDED = Integer.MAX_VALUE;

    private final int minLength;
    private final int maxLength;

    StringShape(int minLength, int maxLength) {
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    int minLength() {
        return minLength;
    }

    int maxLength() {
        return maxLength;
    }

    @Override
    int computeMinFrames() {
        return minLength <= maxLength ? 1 : UNREACHABLE;
    }
}
