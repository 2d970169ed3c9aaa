package io.sinkserve.session;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * What a finished turn leaves for the next one. The cache holds the tokens the model generated, which need not
 * be the tokens the client's resent history renders to (tokenization is not unique), so the next prompt is
 * checked against {@code seen}, what the session has seen in canonical form, evaluated only when the next turn
 * arrives; {@code pending} are the tokens to feed before the new ones so the cache holds what {@code seen}
 * says (the last token when the budget ran out, the end-of-turn markup after a reply).
 */
public record Continuation(Seen seen, int[] pending) {
    /** The session's canonical stream, tested against a new prompt. */
    @FunctionalInterface
    public interface Seen {
        /** How many leading tokens of {@code prompt} are the session's stream, or -1 when it does not start with it all. */
        int prefixIn(int[] prompt);

        /** The stream's tokens, for a snapshot; null when they are not kept (then only the sequence's trail tells). */
        default int[] tokens() {
            return null;
        }

        /** A stream given as its tokens: a prompt continues it when it starts with all of them and has more. */
        static int prefixIn(int[] seen, int[] prompt) {
            return seen.length > 0 && seen.length < prompt.length && Arrays.equals(seen, 0, seen.length, prompt, 0, seen.length)
                    ? seen.length : -1;
        }

        /** The stream as tokens computed when first asked for (a chat turn's canonical rendering). */
        static Seen rendered(Supplier<int[]> render) {
            return new Seen() {
                @Override
                public int prefixIn(int[] prompt) {
                    return Seen.prefixIn(render.get(), prompt);
                }

                @Override
                public int[] tokens() {
                    return render.get();
                }
            };
        }
    }
}
