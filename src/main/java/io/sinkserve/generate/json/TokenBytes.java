package io.sinkserve.generate.json;

import io.sinkserve.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Every token id's bytes as the detokenizer emits them ({@link Tokenizer#piece}, which already maps
 * SentencePiece's ▁, byte-fallback {@code <0xNN>} and byte-level BPE's characters), arranged as a byte
 * trie so a mask walks each shared prefix once and prunes a dead prefix's whole subtree. Tokens that
 * are not plain text (control, user-defined, unused) and empty tokens are left out: they never appear
 * inside a document. Built once per model; immutable and safe to share between threads.
 */
public final class TokenBytes {
    private final byte[][] bytes;
    // the trie in breadth-first order: node n's children are nodes firstChild[n] .. firstChild[n+1]-1,
    // each reached by its edgeByte; the tokens spelled by node n are tokens[tokensFrom[n] .. tokensTo[n]-1]
    private final int[] firstChild;
    private final byte[] edgeByte;
    private final int[] tokensFrom;
    private final int[] tokensTo;
    private final int[] tokens;
    private final boolean everyByte;

    private TokenBytes(byte[][] bytes) {
        this.bytes = bytes;
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
        boolean all = true;
        for (int b = 0; b < 256 && all; b++) {
            int child = childOf(0, b);
            all = child >= 0 && tokensTo[child] > tokensFrom[child];
        }
        this.everyByte = all;
    }

    /** The text tokens of {@code tokenizer}, with their detokenized bytes. */
    public static TokenBytes of(Tokenizer tokenizer) {
        byte[][] bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) {
            bytes[id] = tokenizer.isText(id) && !tokenizer.isEndOfGeneration(id) ? tokenizer.piece(id) : new byte[0];
        }
        return new TokenBytes(bytes);
    }

    /** A vocabulary given directly as each token's bytes (empty: never allowed inside a document). */
    static TokenBytes ofPieces(byte[][] pieces) {
        return new TokenBytes(pieces.clone());
    }

    public int vocabSize() {
        return bytes.length;
    }

    /** The bytes of token {@code id}; empty for a token that never appears inside a document. */
    byte[] bytes(int id) {
        return bytes[id];
    }

    /**
     * Whether every byte value is a token on its own (byte-level BPE and SentencePiece with byte
     * fallback): then any valid next byte has a token, so a mask over a viable parse state is never empty.
     */
    public boolean hasEveryByte() {
        return everyByte;
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
    private int childOf(int node, int b) {
        for (int c = firstChild[node]; c < firstChild[node + 1]; c++) {
            if ((edgeByte[c] & 0xFF) == b) {
                return c;
            }
        }
        return -1;
    }
}
