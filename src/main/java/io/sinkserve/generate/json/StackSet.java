package io.sinkserve.generate.json;

import java.util.Arrays;

/** The successor stacks of one step, without duplicates (alternatives of a union may converge). */
final class StackSet {
    private Stack[] stacks = new Stack[2];
    private int size;

    void add(Stack s) {
        for (int i = 0; i < size; i++) {
            if (stacks[i].equals(s)) {
                return;
            }
        }
        if (size == stacks.length) {
            stacks = Arrays.copyOf(stacks, size * 2);
        }
        stacks[size++] = s;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Stack[] toArray() {
        return Arrays.copyOf(stacks, size);
    }
}
