package io.sinkserve.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The work of one scheduler step, run by {@link Engine#step} in one forward pass: groups of a sequence's next
 * tokens (a decode row is a group of one token, a prompt chunk a group of many), each with or without the
 * next-token logits after its last token. Every sequence appears at most once. Reused from step to step:
 * {@link #clear}, {@link #add} the groups, run, read {@link #logits}; nothing is allocated once it has grown to
 * the largest step.
 */
public final class StepBatch {
    private Sequence[] sequences = new Sequence[8];
    private int[][] tokens = new int[8][];
    private int[] offsets = new int[8];
    private int[] counts = new int[8];
    private boolean[] wantsLogits = new boolean[8];
    private float[][] logits = new float[8][];
    private int groups;

    public void clear() {
        Arrays.fill(sequences, 0, groups, null);
        Arrays.fill(tokens, 0, groups, null);
        groups = 0;
    }

    /**
     * Adds {@code tokens[off .. off + n)} as the next tokens of {@code sequence}; returns the group's index.
     * With {@code logits}, {@link #logits} holds the next-token logits after the last of them once the step ran.
     */
    public int add(Sequence sequence, int[] tokens, int off, int n, boolean logits) {
        if (n < 1) {
            throw new IllegalArgumentException("a group needs at least one token, got " + n);
        }
        Objects.checkFromIndexSize(off, n, tokens.length);
        for (int g = 0; g < groups; g++) {
            if (sequences[g] == sequence) {
                throw new IllegalArgumentException("a sequence appears twice in one step");
            }
        }
        if (groups == sequences.length) {
            grow();
        }
        int g = groups++;
        sequences[g] = sequence;
        this.tokens[g] = tokens;
        offsets[g] = off;
        counts[g] = n;
        wantsLogits[g] = logits;
        return g;
    }

    private void grow() {
        int n = groups * 2;
        sequences = Arrays.copyOf(sequences, n);
        tokens = Arrays.copyOf(tokens, n);
        offsets = Arrays.copyOf(offsets, n);
        counts = Arrays.copyOf(counts, n);
        wantsLogits = Arrays.copyOf(wantsLogits, n);
        logits = Arrays.copyOf(logits, n);
    }

    public int groups() {
        return groups;
    }

    public Sequence sequence(int group) {
        return sequences[Objects.checkIndex(group, groups)];
    }

    public int[] tokens(int group) {
        return tokens[Objects.checkIndex(group, groups)];
    }

    public int offset(int group) {
        return offsets[Objects.checkIndex(group, groups)];
    }

    public int count(int group) {
        return counts[Objects.checkIndex(group, groups)];
    }

    public boolean wantsLogits(int group) {
        return wantsLogits[Objects.checkIndex(group, groups)];
    }

    /** The group's next-token logits after the step; the array is reused by the next step. */
    public float[] logits(int group) {
        if (!wantsLogits(group)) {
            throw new IllegalStateException("group " + group + " asked for no logits");
        }
        return logits[group];
    }

    /** Where an engine writes a group's logits: the group's array, of {@code vocab} floats. */
    public float[] logitsTarget(int group, int vocab) {
        float[] l = logits[Objects.checkIndex(group, groups)];
        if (l == null || l.length != vocab) {
            l = new float[vocab];
            logits[group] = l;
        }
        return l;
    }
}
