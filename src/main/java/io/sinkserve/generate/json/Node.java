package io.sinkserve.generate.json;

/**
 * One compiled schema: the set of JSON values a position in the document may take. Nodes form a graph
 * (a {@link Ref} closes recursive definitions) and compare by identity. Immutable once the compiler has
 * resolved references and computed {@link #minFrames()}.
 */
abstract sealed class Node permits ObjectShape, ArrayShape, StringShape, NumberShape, LiteralSet, Union, Ref {
    /** Marks a node no finite document satisfies (or none within the nesting limit). */
    static final int UNREACHABLE = Integer.MAX_VALUE / 4;

    private int minFrames = UNREACHABLE;

    /**
     * The fewest parser frames a complete value of this node needs on top of its parent's stack: a
     * scalar needs one, an object one more than its deepest required property. Used to refuse a value
     * that could not be completed within {@link ParseState#MAX_FRAMES}, so every reachable parse state
     * has a finite completion.
     */
    final int minFrames() {
        return minFrames;
    }

    final void minFrames(int frames) {
        this.minFrames = frames;
    }

    /** This node's {@link #minFrames()} computed from its children's current values. */
    abstract int computeMinFrames();
}
