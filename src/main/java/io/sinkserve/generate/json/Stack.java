package io.sinkserve.generate.json;

/**
 * One parse position: the frame of the innermost open value on top of its enclosing frames. Immutable
 * and compared by value (the hash is stored first, so unequal stacks usually differ at once), which
 * lets {@link JsonConstraint} reuse the mask of a state it has seen before.
 */
record Stack(int hash, int depth, Frame top, Stack below) {

    static Stack root(Frame frame) {
        return new Stack(frame.hashCode(), 1, frame, null);
    }

    Stack push(Frame frame) {
        return new Stack(31 * hash + frame.hashCode(), depth + 1, frame, this);
    }

    /** This stack with its top frame replaced. */
    Stack with(Frame frame) {
        return below == null ? root(frame) : below.push(frame);
    }
}
