package io.sinkserve.generate.json;

/** A {@code $ref} (or the built-in "any value"): resolved after its target is compiled, which lets definitions recurse. */
final class Ref extends Node {
    private Node target;

    Node target() {
        return target;
    }

    void resolve(Node node) {
        if (target != null) {
            throw new IllegalStateException("reference resolved twice");
        }
        target = node;
    }

    @Override
    int computeMinFrames() {
        return target.minFrames();
    }
}
