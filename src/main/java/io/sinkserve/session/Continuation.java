package io.sinkserve.session;

import java.util.function.Supplier;

/**
 * What a finished turn leaves for the next one. The cache holds the tokens the model generated, which need not
 * be the tokens the client's resent history renders to (tokenization is not unique), so the next turn is
 * diffed against {@code seen}, the canonical rendering of the conversation so far, computed only when the
 * next turn arrives; {@code pending} are the tokens to feed before the new ones so the cache holds what
 * {@code seen} says (the last token when the budget ran out, the end-of-turn markup after a reply).
 */
public record Continuation(Supplier<int[]> seen, int[] pending) {
}
