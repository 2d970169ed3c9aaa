package io.sinkserve.generate.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A small immutable trie over byte strings (enum literals, declared property names); node 0 is the root. */
final class ByteTrie {
    private final byte[][] labels;
    private final int[][] targets;
    private final boolean[] terminal;

    private ByteTrie(byte[][] labels, int[][] targets, boolean[] terminal) {
        this.labels = labels;
        this.targets = targets;
        this.terminal = terminal;
    }

    static ByteTrie of(List<byte[]> words) {
        List<byte[]> labels = new ArrayList<>(List.of(new byte[0]));
        List<int[]> targets = new ArrayList<>(List.of(new int[0]));
        List<Boolean> terminal = new ArrayList<>(List.of(false));
        for (byte[] word : words) {
            int node = 0;
            for (byte b : word) {
                int child = find(labels.get(node), targets.get(node), b);
                if (child < 0) {
                    child = labels.size();
                    labels.add(new byte[0]);
                    targets.add(new int[0]);
                    terminal.add(false);
                    byte[] l = Arrays.copyOf(labels.get(node), labels.get(node).length + 1);
                    int[] t = Arrays.copyOf(targets.get(node), l.length);
                    l[l.length - 1] = b;
                    t[t.length - 1] = child;
                    labels.set(node, l);
                    targets.set(node, t);
                }
                node = child;
            }
            terminal.set(node, true);
        }
        boolean[] term = new boolean[terminal.size()];
        for (int i = 0; i < term.length; i++) {
            term[i] = terminal.get(i);
        }
        return new ByteTrie(labels.toArray(byte[][]::new), targets.toArray(int[][]::new), term);
    }

    private static int find(byte[] labels, int[] targets, byte b) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == b) {
                return targets[i];
            }
        }
        return -1;
    }

    /** The child of {@code node} along byte {@code b}, or -1. */
    int child(int node, int b) {
        return find(labels[node], targets[node], (byte) b);
    }

    /** Whether a whole word ends at {@code node}. */
    boolean isTerminal(int node) {
        return terminal[node];
    }

    /** Whether the trie holds no word at all. */
    boolean isEmpty() {
        return !terminal[0] && labels[0].length == 0;
    }
}
