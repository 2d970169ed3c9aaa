package io.sinkserve.generate;

import java.util.List;

/**
 * How to pick the next token, with llama.cpp's meanings. The filters run in llama.cpp's default order:
 * repetition/presence/frequency penalties over the last {@code repeatLastN} tokens, top-k, top-p, min-p
 * (top-p and min-p look at probabilities at temperature 1), then temperature and a seeded draw.
 * Built from {@link #greedy} or {@link #defaults} with {@code with...} calls, one per setting that differs;
 * every value is checked on its own, so a chain fails at the first bad one with the same message.
 *
 * @param temperature       0 = greedy (argmax after penalties)
 * @param topK              keep the k most likely tokens; 0 = off
 * @param topP              keep the smallest set whose probability reaches p; 1 = off
 * @param minP              drop tokens less likely than minP × the most likely one; 0 = off
 * @param repetitionPenalty divide positive logits (multiply negative ones) of recent tokens; 1 = off
 * @param repeatLastN       how many recent tokens (prompt included) the penalties look at; 0 = off
 * @param presencePenalty   subtracted once from the logit of every recent token; 0 = off
 * @param frequencyPenalty  subtracted per occurrence of a recent token; 0 = off
 * @param seed              seeds the per-request random generator: same seed + same request = same text
 * @param maxTokens         at most this many generated tokens
 * @param stop              stop strings; generation ends before the first one and it is never emitted
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             int repeatLastN, float presencePenalty, float frequencyPenalty, long seed,
                             int maxTokens, List<String> stop) {

    /** llama.cpp's default penalty window. */
    public static final int DEFAULT_REPEAT_LAST_N = 64;

    public SamplingParams {
        require(Float.isFinite(temperature) && temperature >= 0, "temperature must be >= 0, got " + temperature);
        require(topK >= 0, "top_k must be >= 0, got " + topK);
        require(topP > 0 && topP <= 1, "top_p must be in (0, 1], got " + topP);
        require(minP >= 0 && minP <= 1, "min_p must be in [0, 1], got " + minP);
        require(Float.isFinite(repetitionPenalty) && repetitionPenalty > 0,
                "repetition penalty must be > 0, got " + repetitionPenalty);
        require(repeatLastN >= 0, "repeat_last_n must be >= 0, got " + repeatLastN);
        require(Float.isFinite(presencePenalty), "presence penalty must be finite");
        require(Float.isFinite(frequencyPenalty), "frequency penalty must be finite");
        require(maxTokens >= 0, "max_tokens must be >= 0, got " + maxTokens);
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            require(!s.isEmpty(), "stop strings must not be empty");
        }
    }

    /** Argmax decoding with no penalties. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, DEFAULT_REPEAT_LAST_N, 0f, 0f, 0L, maxTokens, List.of());
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties. */
    public static SamplingParams defaults(int maxTokens, long seed) {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, DEFAULT_REPEAT_LAST_N, 0f, 0f, seed, maxTokens, List.of());
    }

    public SamplingParams withTemperature(float temperature) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withTopK(int topK) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withTopP(float topP) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withMinP(float minP) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withRepetitionPenalty(float repetitionPenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withRepeatLastN(int repeatLastN) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withPresencePenalty(float presencePenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withFrequencyPenalty(float frequencyPenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withSeed(long seed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withMaxTokens(int maxTokens) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withStop(List<String> stop) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    boolean hasPenalties() {
        return repeatLastN > 0 && (repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
