package io.sinkserve.generate;

/**
 * Orders token indices by their logit, largest first, in place and without allocating: a quickselect
 * followed by a sort of the selected prefix, so top-k over a 128k vocabulary costs O(V + k log k).
 */
final class IndexSort {
    private static final int INSERTION_LIMIT = 16;

    private IndexSort() {
    }

    /**
     * Reorders {@code idx[from, to)} so that {@code idx[from, from + count)} holds the {@code count}
     * indices with the largest {@code key}, sorted descending; the rest follow in no particular order.
     */
    static void topSorted(int[] idx, float[] key, int from, int to, int count) {
        int end = from + count;
        if (count <= 0) {
            return;
        }
        if (end < to) {
            select(idx, key, from, to - 1, end - 1);
        }
        sort(idx, key, from, end - 1);
    }

    /** Quickselect: afterwards idx[k] holds the element of rank k and everything before it is >= it. */
    private static void select(int[] idx, float[] key, int lo, int hi, int k) {
        while (hi - lo > INSERTION_LIMIT) {
            long eq = partition(idx, key, lo, hi);
            int lt = (int) (eq >>> 32);
            int gt = (int) eq;
            if (k < lt) {
                hi = lt - 1;
            } else if (k > gt) {
                lo = gt + 1;
            } else {
                return;
            }
        }
        insertionSort(idx, key, lo, hi);
    }

    private static void sort(int[] idx, float[] key, int lo, int hi) {
        while (hi - lo > INSERTION_LIMIT) {
            long eq = partition(idx, key, lo, hi);
            int lt = (int) (eq >>> 32);
            int gt = (int) eq;
            // recurse into the smaller side so the stack stays O(log n)
            if (lt - lo < hi - gt) {
                sort(idx, key, lo, lt - 1);
                lo = gt + 1;
            } else {
                sort(idx, key, gt + 1, hi);
                hi = lt - 1;
            }
        }
        insertionSort(idx, key, lo, hi);
    }

    /**
     * Three-way partition, descending, around a median-of-three pivot, so runs of equal logits (e.g. many
     * -inf) stay linear. Returns the slots [lt, gt] holding keys equal to the pivot, packed as lt << 32 | gt.
     */
    private static long partition(int[] idx, float[] key, int lo, int hi) {
        float a = key[idx[lo]];
        float b = key[idx[(lo + hi) >>> 1]];
        float c = key[idx[hi]];
        float pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
        int lt = lo;
        int gt = hi;
        int i = lo;
        while (i <= gt) {
            float v = key[idx[i]];
            if (v > pivot) {
                swap(idx, i++, lt++);
            } else if (v < pivot) {
                swap(idx, i, gt--);
            } else {
                i++;
            }
        }
        return ((long) lt << 32) | (gt & 0xFFFFFFFFL);
    }

    private static void insertionSort(int[] idx, float[] key, int lo, int hi) {
        for (int i = lo + 1; i <= hi; i++) {
            int v = idx[i];
            float kv = key[v];
            int j = i - 1;
            while (j >= lo && key[idx[j]] < kv) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
