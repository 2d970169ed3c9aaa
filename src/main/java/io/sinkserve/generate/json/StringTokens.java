package io.sinkserve.generate.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The vocabulary split for the state a generation spends most of its tokens in: inside a string, at a
 * character boundary. From there a token's bytes up to its first {@code "} or {@code \} are string
 * content whose validity does not depend on the state, only its length in code points does. So each
 * token is classified once per model by running it through a string frame: "plain" (all content, of
 * {@code cp} code points; it may end inside a UTF-8 sequence), "rest" (content of {@code cp} code
 * points, then a quote or backslash at a character boundary, and the rest of the token, which depends on
 * the state and is walked in a small trie per {@code cp}), or never valid there.
 */
final class StringTokens {
    /** Counts every code point (a minLength no string reaches, so the frame never caps its count). */
    private static final StringShape COUNTING = new StringShape(Integer.MAX_VALUE - 1, StringShape.UNBOUNDED);

    private final long[] plain;
    /** The plain tokens by ascending code-point count. */
    private final int[] plainIds;
    private final int[] plainCodePoints;
    /** For each content length k, the trie of the rests of tokens whose content is k code points (or null). */
    private final TokenTrie[] restsByCodePoints;

    StringTokens(byte[][] bytes) {
        this.plain = new long[(bytes.length + 63) >>> 6];
        List<int[]> plainList = new ArrayList<>();
        List<byte[][]> rests = new ArrayList<>();
        for (int id = 0; id < bytes.length; id++) {
            byte[] token = bytes[id];
            if (token.length == 0) {
                continue;
            }
            Stack s = Stack.root(StringFrame.open(COUNTING));
            int i = 0;
            while (i < token.length && token[i] != '"' && token[i] != '\\') {
                StackSet out = new StackSet();
                s.top().step(s, token[i] & 0xFF, out);
                if (out.isEmpty()) {
                    break;
                }
                s = out.toArray()[0];
                i++;
            }
            StringFrame content = (StringFrame) s.top();
            if (i == token.length) {
                plain[id >>> 6] |= 1L << id;
                plainList.add(new int[] {id, content.count()});
            } else if ((token[i] == '"' || token[i] == '\\') && content.atCharacterBoundary()) {
                int k = content.count();
                while (rests.size() <= k) {
                    rests.add(null);
                }
                if (rests.get(k) == null) {
                    rests.set(k, new byte[bytes.length][]);
                    Arrays.fill(rests.get(k), new byte[0]);
                }
                rests.get(k)[id] = Arrays.copyOfRange(token, i, token.length);
            }
        }
        plainList.sort(Comparator.comparingInt(p -> p[1]));
        this.plainIds = plainList.stream().mapToInt(p -> p[0]).toArray();
        this.plainCodePoints = plainList.stream().mapToInt(p -> p[1]).toArray();
        this.restsByCodePoints = rests.stream().map(r -> r == null ? null : new TokenTrie(r)).toArray(TokenTrie[]::new);
    }

    /** Marks the plain tokens of at most {@code room} code points (StringShape.UNBOUNDED: all); whether there were any. */
    boolean markPlain(int room, long[] allowed) {
        if (room == StringShape.UNBOUNDED) {
            for (int w = 0; w < plain.length; w++) {
                allowed[w] |= plain[w];
            }
            return plainIds.length > 0;
        }
        int i = 0;
        for (; i < plainIds.length && plainCodePoints[i] <= room; i++) {
            allowed[plainIds[i] >>> 6] |= 1L << plainIds[i];
        }
        return i > 0;
    }

    /** The longest content, in code points, before a rest. */
    int maxRestCodePoints() {
        return restsByCodePoints.length - 1;
    }

    /** The trie of the rests after {@code k} code points of content, or null when no token has one. */
    TokenTrie rests(int k) {
        return restsByCodePoints[k];
    }
}
