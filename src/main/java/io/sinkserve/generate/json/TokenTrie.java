package io.sinkserve.generate.json;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A byte trie of token byte strings, so a mask walks each shared prefix once and prunes a dead
 * prefix's whole subtree. Laid out breadth-first in flat arrays: node n's children are nodes
 * {@code childrenFrom(n) .. childrenTo(n)-1}, each reached by its {@link #edgeByte}; the tokens whose
 * bytes end at node n are {@code token(tokensFrom(n)) .. token(tokensTo(n)-1)}. Node 0 is the root.
 */
final class TokenTrie {
    private final int[] firstChild;
    private final byte[] edgeByte;
    private final int[] tokensFrom;
    private final int[] tokensTo;
    private final int[] tokens;

    /** The trie of {@code bytes[id]} for every id whose bytes are not empty. */
    TokenTrie(byte[][] bytes) {
        this.tokens = IntStream.range(0, bytes.length).filter(id -> bytes[id].length > 0).boxed()
                .sorted(Comparator.comparing((Integer id) -> bytes[id], Arrays::compareUnsigned))
                .mapToInt(Integer::intValue).toArray();
        // a node is the range [lo, hi) of sorted tokens that share its prefix; a token equal to the
        // prefix sorts before the longer ones
        int capacity = 1 + Arrays.stream(bytes).mapToInt(b -> b.length).sum();
        int[] lo = new int[capacity];
        int[] hi = new int[capacity];
        int[] depth = new int[capacity];
        int[] first = new int[capacity + 1];
        int[] ends = new int[capacity];
        byte[] edge = new byte[capacity];
        hi[0] = tokens.length;
        int nodes = 1;
        for (int n = 0; n < nodes; n++) {
            int d = depth[n];
            int i = lo[n];
            while (i < hi[n] && bytes[tokens[i]].length == d) {
                i++;
            }
            ends[n] = i;
            first[n] = nodes;
            while (i < hi[n]) {
                byte b = bytes[tokens[i]][d];
                int j = i;
                while (j < hi[n] && bytes[tokens[j]][d] == b) {
                    j++;
                }
                lo[nodes] = i;
                hi[nodes] = j;
                depth[nodes] = d + 1;
                edge[nodes] = b;
                nodes++;
                i = j;
            }
        }
        first[nodes] = nodes;
        this.firstChild = Arrays.copyOf(first, nodes + 1);
        this.edgeByte = Arrays.copyOf(edge, nodes);
        this.tokensFrom = Arrays.copyOf(lo, nodes);
        this.tokensTo = Arrays.copyOf(ends, nodes);
    }

    int childrenFrom(int node) {
        return firstChild[node];
    }

    int childrenTo(int node) {
        return firstChild[node + 1];
    }

    int edgeByte(int node) {
        return edgeByte[node] & 0xFF;
    }

    int tokensFrom(int node) {
        return tokensFrom[node];
    }

    int tokensTo(int node) {
        return tokensTo[node];
    }

    int token(int index) {
        return tokens[index];
    }

    /** The child of {@code node} along byte {@code b}, or -1. */
    int child(int node, int b) {
        for (int c = firstChild[node]; c < firstChild[node + 1]; c++) {
            if ((edgeByte[c] & 0xFF) == b) {
                return c;
            }
        }
        return -1;
    }
}
