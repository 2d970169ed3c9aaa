package io.sinkserve.scheduler;

import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.Logprobs;
import io.sinkserve.generate.Sampler;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.generate.StopStrings;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.model.Engine;
import io.sinkserve.model.Sequence;
import io.sinkserve.model.TextDecoder;

import java.util.Arrays;

/**
 * One request's run on a sequence: prefill the new prompt tokens, then sample until end of generation,
 * a stop string, the token budget or cancellation. All state but the cancel flag is touched only by
 * the scheduler's worker thread.
 */
public final class Generation {
    private final Sequence sequence;
    private final int[] prompt;
    private final SamplingParams params;
    private final TokenControls controls;
    private final GenerationListener listener;
    private volatile CancelCause cancelCause;
    private volatile long pausedSince;   // 0 while the client takes what is sent
    private volatile Scheduler scheduler;

    private Sampler sampler;
    private Logprobs logprobs;
    private TextDecoder decoder;
    private StopStrings stops;
    private int prefilled;
    private int pendingToken = -1;
    private int generated;
    private long submittedAt;
    private long firstTokenAt;
    private long lastTokenAt;
    private long admittedAt;

    /** @param prompt tokens the sequence has not seen yet; at least one, since sampling needs logits */
    public Generation(Sequence sequence, int[] prompt, SamplingParams params, GenerationListener listener) {
        this(sequence, prompt, params, TokenControls.NONE, listener);
    }

    public Generation(Sequence sequence, int[] prompt, SamplingParams params, TokenControls controls,
                      GenerationListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a generation needs at least one new prompt token");
        }
        this.sequence = sequence;
        this.prompt = prompt;
        this.params = params;
        this.controls = controls;
        this.listener = listener;
    }

    /**
     * Stops the generation: at once while it is queued, else at the scheduler's next step; safe from any thread.
     * A cancelled generation ends with a {@link FinishReason#CANCELLED} result.
     */
    public void cancel(CancelCause cause) {
        if (cancelCause == null) {
            cancelCause = cause;
        }
        Scheduler s = scheduler;
        if (s != null) {
            s.cancelled(this);
        }
    }

    /** The client cannot take more now: the scheduler skips this generation until {@link #resume}. Any thread. */
    public void pause() {
        if (pausedSince == 0) {
            pausedSince = Math.max(1, System.nanoTime());
        }
    }

    /** The client drained what was sent: generation goes on. Any thread. */
    public void resume() {
        pausedSince = 0;
        Scheduler s = scheduler;
        if (s != null) {
            s.wake();
        }
    }

    long pausedSince() {
        return pausedSince;
    }

    public Sequence sequence() {
        return sequence;
    }

    CancelCause cancelCause() {
        return cancelCause;
    }

    GenerationListener listener() {
        return listener;
    }

    void submitted(Scheduler owner, Engine engine, long now) {
        submittedAt = now;
        sampler = new Sampler(params, engine.vocabSize(), controls.bias(), controls.mask());
        logprobs = controls.logprobs() ? new Logprobs(engine.vocabSize(), controls.topLogprobs()) : null;
        decoder = engine.newDecoder();
        stops = new StopStrings(params.stop());
        sampler.acceptAll(sequence.recentTokens(params.repeatLastN()));
        sampler.acceptAll(prompt);
        scheduler = owner;
    }

    void admitted(long now) {
        admittedAt = now;
    }

    boolean prefilling() {
        return prefilled < prompt.length;
    }

    /** The next prompt chunk to feed, at most {@code max} tokens. */
    int[] nextChunk(int max) {
        int end = Math.min(prompt.length, prefilled + max);
        int[] chunk = Arrays.copyOfRange(prompt, prefilled, end);
        prefilled = end;
        return chunk;
    }

    int pendingToken() {
        return pendingToken;
    }

    int generated() {
        return generated;
    }

    /**
     * Samples from logits and emits the token's text. Returns the finish reason, or null to go on
     * (the sampled token then becomes the one to feed next).
     */
    FinishReason sample(float[] logits, Engine engine, long now) {
        if (firstTokenAt == 0) {
            firstTokenAt = now;
            listener.onFirstToken();
        }
        lastTokenAt = now;
        if (params.maxTokens() == 0) {
            return FinishReason.LENGTH;
        }
        int token = sampler.sample(logits);
        if (engine.isEndOfGeneration(token)) {
            return FinishReason.STOP;
        }
        generated++;
        sampler.accept(token);
        if (controls.mask() != null) {
            controls.mask().accept(token);
        }
        if (logprobs != null) {
            listener.onLogprob(logprobs.of(logits, token));
        }
        emit(stops.push(decoder.push(token)));
        if (stops.stopped()) {
            return FinishReason.STOP;
        }
        pendingToken = token;
        return generated >= params.maxTokens() ? FinishReason.LENGTH : null;
    }

    /** Emits text still held by the decoder and, unless a stop string matched, by the stop matcher. */
    void flush() {
        if (stops.stopped()) {
            return;
        }
        emit(stops.push(decoder.flush()));
        emit(stops.flush());
    }

    private void emit(String text) {
        if (!text.isEmpty()) {
            listener.onText(text);
        }
    }

    long firstTokenAt() {
        return firstTokenAt;
    }

    long lastTokenAt() {
        return lastTokenAt;
    }

    GenerationResult result(FinishReason reason, long now) {
        long ttft = firstTokenAt == 0 ? 0 : firstTokenAt - submittedAt;
        int unfed = reason == FinishReason.LENGTH ? pendingToken : -1;
        return new GenerationResult(reason, cancelCause, prefilled, generated, unfed, admittedAt - submittedAt, ttft,
                now - submittedAt);
    }

    long submittedAt() {
        return submittedAt;
    }
}
