package io.sinkserve.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of candidate merges of two adjacent symbols, without boxing. Lower priority pops
 * first; ties go to the leftmost pair, as in SentencePiece and llama.cpp. {@code size} records the
 * pair's combined length so that entries made stale by an earlier merge can be recognised.
 */
final class MergeQueue {
    private double[] priority = new double[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] length = new int[64];
    private int size;

    /** Fields of the entry last returned by {@link #pop()}. */
    int poppedLeft;
    int poppedRight;
    int poppedLength;

    boolean isEmpty() {
        return size == 0;
    }

    void push(double p, int l, int r, int len) {
        if (size == priority.length) {
            int n = size * 2;
            priority = Arrays.copyOf(priority, n);
            left = Arrays.copyOf(left, n);
            right = Arrays.copyOf(right, n);
            length = Arrays.copyOf(length, n);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(p, l, priority[parent], left[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, p, l, r, len);
    }

    void pop() {
        poppedLeft = left[0];
        poppedRight = right[0];
        poppedLength = length[0];
        int last = --size;
        if (last == 0) {
            return;
        }
        double p = priority[last];
        int l = left[last];
        int r = right[last];
        int len = length[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && before(priority[child + 1], left[child + 1], priority[child], left[child])) {
                child++;
            }
            if (!before(priority[child], left[child], p, l)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, p, l, r, len);
    }

    private static boolean before(double p1, int l1, double p2, int l2) {
        return p1 < p2 || (p1 == p2 && l1 < l2);
    }

    private void move(int from, int to) {
        set(to, priority[from], left[from], right[from], length[from]);
    }

    private void set(int i, double p, int l, int r, int len) {
        priority[i] = p;
        left[i] = l;
        right[i] = r;
        length[i] = len;
    }
}
