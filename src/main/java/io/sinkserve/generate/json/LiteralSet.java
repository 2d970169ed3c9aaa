package io.sinkserve.generate.json;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One of a finite set of JSON values ({@code enum}, {@code const}, booleans, null), each written in its
 * compact serialization. The compiler filters the candidates through the rest of their schema.
 */
final class LiteralSet extends Node {
    private List<String> values;
    private ByteTrie trie;

    LiteralSet(List<String> values) {
        restrictTo(values);
    }

    /** Narrows the candidates; only the compiler calls this, before the grammar is published. */
    void restrictTo(List<String> kept) {
        this.values = List.copyOf(kept);
        this.trie = ByteTrie.of(kept.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
    }

    List<String> values() {
        return values;
    }

    ByteTrie trie() {
        return trie;
    }

    @Override
    int computeMinFrames() {
        return values.isEmpty() ? UNREACHABLE : 1;
    }
}
