package io.sinkserve.generate.json;

/** A JSON array of [minItems, maxItems] values of one item node. */
final class ArrayShape extends Node {
    static final int UNBOUNDED = Integer.MAX_VALUE;

    private final Node items;
    private final int minItems;
    private final int maxItems;

    ArrayShape(Node items, int minItems, int maxItems) {
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
    }

    Node items() {
        return items;
    }

    int minItems() {
        return minItems;
    }

    int maxItems() {
        return maxItems;
    }

    @Override
    int computeMinFrames() {
        if (minItems > maxItems) {
            return UNREACHABLE;
        }
        return minItems == 0 ? 1 : Math.min(UNREACHABLE, 1 + items.minFrames());
    }
}
