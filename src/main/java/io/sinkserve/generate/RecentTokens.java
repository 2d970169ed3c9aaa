package io.sinkserve.generate;

/**
 * The last N tokens of a request and how often each occurs among them: a ring buffer plus per-token
 * counts kept up to date on every add, so applying the penalties costs O(N), not O(vocab), and allocates nothing.
 */
final class RecentTokens {
    private final int[] ring;
    private final int[] counts;
    private final int[] visited; // stamp per token: penalised once per call even when it occurs many times
    private int stamp;
    private int size;
    private int next;

    RecentTokens(int capacity, int vocab) {
        this.ring = new int[capacity];
        this.counts = new int[capacity == 0 ? 0 : vocab];
        this.visited = new int[capacity == 0 ? 0 : vocab];
    }

    void add(int token) {
        if (ring.length == 0) {
            return;
        }
        if (token < 0 || token >= counts.length) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + counts.length);
        }
        if (size == ring.length) {
            counts[ring[next]]--;
        } else {
            size++;
        }
        ring[next] = token;
        counts[token]++;
        next = (next + 1) % ring.length;
    }

    /** llama.cpp's penalties: repeat makes a recent token less likely whatever its logit's sign; presence/frequency subtract. */
    void penalise(float[] logits, float repeat, float presence, float frequency) {
        stamp++;
        for (int i = 0; i < size; i++) {
            int t = ring[i];
            if (visited[t] == stamp) {
                continue;
            }
            visited[t] = stamp;
            float l = logits[t];
            l = l <= 0 ? l * repeat : l / repeat;
            logits[t] = l - counts[t] * frequency - presence;
        }
    }
}
