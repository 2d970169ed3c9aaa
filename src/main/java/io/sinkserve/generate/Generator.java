package io.sinkserve.generate;

import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.LogitsConsumer;
import io.sinkserve.model.Model;
import io.sinkserve.tokenizer.StreamingDecoder;
import io.sinkserve.tokenizer.Tokenizer;

import java.util.List;
import java.util.function.Consumer;

/**
 * The single-sequence generation loop (CLI): prefill the prompt, then sample, decode and stream text until
 * an end-of-generation token, a stop string or the token budget. The batched scheduler runs the same steps
 * with the same parts (Sampler, StopStrings, the tokenizer's StreamingDecoder) across many sequences.
 */
public final class Generator {

    /**
     * Generates a continuation of {@code prompt} on {@code seq}; {@code onText} receives each piece of text
     * as soon as it is final (never half a UTF-8 character, never part of a stop string).
     */
    public GenerationResult generate(Model model, CachedSequence seq, int[] prompt, SamplingParams params,
                                     Consumer<String> onText) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt: give at least one token (e.g. BOS)");
        }
        Tokenizer tokenizer = model.tokenizer();
        Sampler sampler = new Sampler(params, model.config().vocab());
        sampler.acceptAll(prompt);
        StopStrings stops = new StopStrings(params.stop());
        StreamingDecoder decoder = tokenizer.newDecoder();
        StringBuilder text = new StringBuilder();

        long start = System.nanoTime();
        float[] logits = model.prefill(seq, prompt);
        long prefillNanos = System.nanoTime() - start;

        long decodeStart = System.nanoTime();
        int generated = 0;
        FinishReason reason = FinishReason.LENGTH;
        int[] next = new int[1];
        List<CachedSequence> batch = List.of(seq);
        int vocab = model.config().vocab();
        // every decode step overwrites the prefill's logits array: no allocation per token
        LogitsConsumer copyLogits = (i, l, offset) -> System.arraycopy(l, offset, logits, 0, vocab);
        while (generated < params.maxTokens()) {
            int token = sampler.sample(logits);
            if (tokenizer.isEndOfGeneration(token)) {
                reason = FinishReason.STOP;
                break;
            }
            sampler.accept(token);
            generated++;
            emit(stops.push(decoder.push(token)), text, onText);
            if (stops.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (generated < params.maxTokens()) {
                next[0] = token;
                model.decode(batch, next, copyLogits);
            }
        }
        if (!stops.stopped()) {
            emit(stops.push(decoder.flush()), text, onText);
            emit(stops.stopped() ? "" : stops.flush(), text, onText);
            if (stops.stopped()) {
                reason = FinishReason.STOP;
            }
        }
        long decodeNanos = System.nanoTime() - decodeStart;
        return new GenerationResult(text.toString(), prompt.length, generated, reason, prefillNanos, decodeNanos);
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> onText) {
        if (!piece.isEmpty()) {
            text.append(piece);
            onText.accept(piece);
        }
    }
}
