package io.sinkserve.generate.json;

import java.util.List;

/** Any of several nodes ({@code anyOf}, or a {@code type} array): the parser follows every alternative at once. */
final class Union extends Node {
    private final List<Node> alternatives;

    Union(List<Node> alternatives) {
        this.alternatives = List.copyOf(alternatives);
    }

    List<Node> alternatives() {
        return alternatives;
    }

    @Override
    int computeMinFrames() {
        int min = UNREACHABLE;
        for (Node alternative : alternatives) {
            min = Math.min(min, alternative.minFrames());
        }
        return min;
    }
}
