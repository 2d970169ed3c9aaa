package io.sinkserve.generate;

import java.util.SplittableRandom;

/**
 * Picks the next token from a logit vector with llama.cpp's semantics (see {@link SamplingParams}).
 * One sampler per request: it owns the request's random generator (seeded explicitly, so the same seed
 * and request give the same text) and the window of recent tokens the penalties look at. Every buffer
 * is sized to the vocabulary once; sampling a token allocates nothing.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int vocab;
    private final SplittableRandom random;
    private final float[] work;       // penalised (and later temperature-scaled) logits
    private final int[] candidates;   // token ids still in play, a prefix of this array
    private final RecentTokens recent;
    private final LogitBias bias;
    private final TokenMask mask;

    public Sampler(SamplingParams params, int vocab) {
        this(params, vocab, LogitBias.NONE, null);
    }

    /**
     * @param bias added to the logits first (before the penalties, as llama.cpp orders it)
     * @param mask applied after the penalties, so what it forbids stays forbidden; null for none
     */
    public Sampler(SamplingParams params, int vocab, LogitBias bias, TokenMask mask) {
        if (vocab <= 0) {
            throw new IllegalArgumentException("vocabulary size must be > 0, got " + vocab);
        }
        this.params = params;
        this.vocab = vocab;
        this.random = new SplittableRandom(params.seed());
        this.work = new float[vocab];
        this.candidates = new int[vocab];
        this.recent = new RecentTokens(params.repeatLastN(), vocab);
        this.bias = bias;
        this.mask = mask;
    }

    /** Records a token the penalties must see: every prompt token, then every sampled token. */
    public void accept(int token) {
        recent.add(token);
    }

    public void acceptAll(int[] tokens) {
        for (int t : tokens) {
            recent.add(t);
        }
    }

    /**
     * Samples a token from {@code logits[0, vocab)}; the array is not modified. Does not {@link #accept} it, nor
     * advance the mask.
     */
    public int sample(float[] logits) {
        if (logits.length < vocab) {
            throw new IllegalArgumentException("expected " + vocab + " logits, got " + logits.length);
        }
        System.arraycopy(logits, 0, work, 0, vocab);
        bias.apply(work);
        if (params.hasPenalties()) {
            recent.penalise(work, params.repetitionPenalty(), params.presencePenalty(), params.frequencyPenalty());
        }
        if (mask != null) {
            mask.mask(work);
        }
        if (params.isGreedy()) {
            return argmax(work, vocab);
        }
        for (int i = 0; i < vocab; i++) {
            candidates[i] = i;
        }
        int n = vocab;
        boolean sorted = false;
        if (params.topK() > 0 && params.topK() < n) {
            IndexSort.topSorted(candidates, work, 0, n, params.topK());
            n = params.topK();
            sorted = true;
        }
        if (params.topP() < 1f) {
            n = topP(n, sorted);
            sorted = true;
        }
        if (params.minP() > 0f) {
            n = minP(n);
        }
        return draw(n);
    }

    /** Keeps the most likely tokens until their probability (temperature 1) reaches top-p. */
    private int topP(int n, boolean sorted) {
        float max = maxOf(n);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.exp(work[candidates[i]] - max);
        }
        double target = params.topP() * total;
        double cumulative = 0;
        int ordered = sorted ? n : 0;
        // Sort lazily in growing blocks: with a peaked distribution only a few hundred tokens ever get sorted.
        int block = 256;
        for (int i = 0; i < n; i++) {
            if (i == ordered) {
                int count = Math.min(block, n - ordered);
                IndexSort.topSorted(candidates, work, ordered, n, count);
                ordered += count;
                block *= 4;
            }
            cumulative += Math.exp(work[candidates[i]] - max);
            if (cumulative >= target) {
                return i + 1;
            }
        }
        return n;
    }

    /** Keeps tokens whose probability is at least min-p times the top one's, i.e. logit >= max + ln(min-p). */
    private int minP(int n) {
        float threshold = maxOf(n) + (float) Math.log(params.minP());
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int t = candidates[i];
            if (work[t] >= threshold) {
                candidates[kept++] = t;
            }
        }
        return kept;
    }

    /** Softmax at the request's temperature over the survivors, then one seeded draw. */
    private int draw(int n) {
        float max = maxOf(n);
        float invT = 1f / params.temperature();
        double total = 0;
        for (int i = 0; i < n; i++) {
            int t = candidates[i];
            double e = Math.exp((work[t] - max) * invT);
            work[t] = (float) e;
            total += e;
        }
        double r = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += work[candidates[i]];
            if (r < cumulative) {
                return candidates[i];
            }
        }
        return candidates[n - 1]; // r landed on the rounding slack at the very top
    }

    private float maxOf(int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, work[candidates[i]]);
        }
        return max;
    }

    /** Index of the largest value; the lowest index wins ties. */
    static int argmax(float[] x, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
