package io.sinkserve.tokenizer;

import java.util.Arrays;

/** A growable list of token ids without boxing. */
final class TokenList {
    private int[] ids = new int[64];
    private int size;

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] more) {
        for (int id : more) {
            add(id);
        }
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
