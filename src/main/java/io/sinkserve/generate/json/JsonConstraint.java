package io.sinkserve.generate.json;

import io.sinkserve.generate.TokenMask;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Constrains one generation to a {@link JsonGrammar}: before each sampling step {@link #mask} forbids
 * every token that cannot continue a valid document, and {@link #accept} advances by the sampled token.
 * A mask walks the vocabulary's byte trie with the parse state, pruning every subtree whose prefix is
 * dead; masks are kept per parse state (a free-text string returns to the same state after every
 * token), so a repeated state costs only applying the mask. Single-threaded; one per generation.
 *
 * <p>After a whitespace-only token, another one is allowed only where nothing else is: JSON lets whitespace
 * in between every two tokens, and a small model fills that room with blank lines until its token budget
 * runs out. The grammar's own set ({@link #allowed}) is unchanged by this; only {@link #mask} applies it.
 *
 * <p>Never empty: every parse state has a finite completion (see {@link ParseState}), so some next byte
 * is valid, and with a vocabulary that {@link TokenBytes#hasEveryJsonByte() has every byte} as a token, that
 * byte's token is allowed. End-of-generation tokens are allowed exactly when the document is complete.
 */
public final class JsonConstraint implements TokenMask {
    private static final int CACHED_MASKS = 64;

    private final TokenBytes tokens;
    private final IntPredicate isEndOfGeneration;
    private final Map<ParseState, long[]> masks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ParseState, long[]> eldest) {
            return size() > CACHED_MASKS;
        }
    };
    private ParseState state;
    private int[] endTokens;
    private boolean afterBlank;
    private long[] nonBlank;   // scratch: the allowed set without whitespace-only tokens

    public JsonConstraint(JsonGrammar grammar, TokenBytes tokens, IntPredicate isEndOfGeneration) {
        this.tokens = tokens;
        this.isEndOfGeneration = isEndOfGeneration;
        this.state = grammar.initialState();
    }

    /** Sets every disallowed token's logit to -Infinity (and every logit past the vocabulary). */
    @Override
    public void mask(float[] logits) {
        long[] allowed = afterBlank ? withoutBlank(allowed()) : allowed();
        int n = Math.min(logits.length, tokens.vocabSize());
        for (int base = 0; base < n; base += 64) {
            long word = allowed[base >>> 6];
            int end = Math.min(base + 64, n);
            if (word == 0) {
                Arrays.fill(logits, base, end, Float.NEGATIVE_INFINITY);
            } else if (word != -1L) {
                for (int id = base; id < end; id++) {
                    if ((word & (1L << id)) == 0) {
                        logits[id] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
        }
        Arrays.fill(logits, n, logits.length, Float.NEGATIVE_INFINITY);
    }

    /** {@code allowed} less the whitespace-only tokens, unless nothing else is in it. */
    private long[] withoutBlank(long[] allowed) {
        long[] blank = tokens.blankTokens();
        if (nonBlank == null) {
            nonBlank = new long[allowed.length];
        }
        boolean other = false;
        for (int i = 0; i < allowed.length; i++) {
            nonBlank[i] = allowed[i] & ~blank[i];
            other |= nonBlank[i] != 0;
        }
        return other ? nonBlank : allowed;
    }

    /** Advances by the sampled token; throws IllegalArgumentException for a token the mask forbids. */
    @Override
    public void accept(int token) {
        if (token < 0 || token >= tokens.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " outside the vocabulary");
        }
        if (isEndOfGeneration.test(token)) {
            if (!state.isComplete()) {
                throw new IllegalArgumentException("end of generation before the JSON document is complete");
            }
            return;
        }
        byte[] bytes = tokens.bytes(token);
        if (bytes.length == 0) {
            throw new IllegalArgumentException("token " + token + " is not text and cannot appear in a JSON document");
        }
        ParseState s = state;
        for (byte b : bytes) {
            s = s.next(b & 0xFF);
            if (s == null) {
                throw new IllegalArgumentException("token " + token + " cannot continue the JSON document");
            }
        }
        state = s;
        afterBlank = tokens.isBlank(token);
    }

    /** Whether the tokens accepted so far form a whole valid document. */
    public boolean isComplete() {
        return state.isComplete();
    }

    /** The allowed tokens of the current state as a bit set over token ids. */
    long[] allowed() {
        long[] allowed = masks.get(state);
        if (allowed == null) {
            allowed = compute(state);
            masks.put(state, allowed);
        }
        return allowed;
    }

    private long[] compute(ParseState from) {
        long[] allowed = new long[(tokens.vocabSize() + 63) >>> 6];
        StringFrame string = from.freeString();
        boolean any = string != null ? markString(from, string, allowed) : walk(tokens.trie(), 0, from, allowed);
        if (from.isComplete()) {
            for (int id : endTokens()) {
                allowed[id >>> 6] |= 1L << id;
                any = true;
            }
        }
        if (!any) {
            throw new IllegalStateException("no token of this vocabulary continues the JSON document"
                    + (tokens.hasEveryJsonByte() ? "" : " (the vocabulary lacks single-byte tokens)"));
        }
        return allowed;
    }

    /** Inside a string: the plain tokens that fit, and each content length's rests walked from the state after it. */
    private boolean markString(ParseState from, StringFrame string, long[] allowed) {
        StringTokens strings = tokens.strings();
        int room = string.room();
        boolean any = strings.markPlain(room, allowed);
        for (int k = 0; k <= Math.min(room, strings.maxRestCodePoints()); k++) {
            TokenTrie rests = strings.rests(k);
            if (rests != null) {
                any |= walk(rests, 0, from.afterStringContent(k), allowed);
            }
        }
        return any;
    }

    /** Marks the tokens below trie node {@code node} that {@code at} (the state after the node's bytes) can read. */
    private static boolean walk(TokenTrie trie, int node, ParseState at, long[] allowed) {
        boolean any = false;
        for (int child = trie.childrenFrom(node); child < trie.childrenTo(node); child++) {
            ParseState next = at.next(trie.edgeByte(child));
            if (next == null) {
                continue;
            }
            for (int i = trie.tokensFrom(child); i < trie.tokensTo(child); i++) {
                int id = trie.token(i);
                allowed[id >>> 6] |= 1L << id;
                any = true;
            }
            any |= walk(trie, child, next, allowed);
        }
        return any;
    }

    private int[] endTokens() {
        if (endTokens == null) {
            endTokens = java.util.stream.IntStream.range(0, tokens.vocabSize()).filter(isEndOfGeneration).toArray();
        }
        return endTokens;
    }
}
