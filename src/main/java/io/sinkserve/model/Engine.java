package io.sinkserve.model;


import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.TokenMask;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.tokenizer.ChatMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * What the service needs from the inference engine: prompts to tokens, sequences with their own KV cache,
 * forward passes and detokenization. One implementation wraps the real model; the seam keeps the
 * scheduler and session code testable and free of model internals.
 *
 * <p>Only the scheduler's worker thread calls {@link #step} (and the CLI's thread, which drives a generation alone).
 */
public interface Engine extends AutoCloseable {
    /** The id clients name in the {@code model} field. */
    String modelName();

    int vocabSize();

    /** The context length the model was trained at (the StreamingLLM cache lets sessions go beyond it). */
    int contextLength();

    /** The whole conversation rendered by the model's chat template, as tokens (content never parsed for specials). */
    int[] renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) throws PromptRejectedException;

    /** A plain-text prompt as tokens, with BOS if the vocabulary wants one. */
    int[] encode(String text);

    Sequence newSequence(CacheConfig config);

    /** A sequence from {@link Sequence#writeSnapshot}; fails if the snapshot is corrupt or does not fit this model. */
    Sequence readSequence(InputStream in) throws IOException;

    /**
     * One scheduler step: feeds every group of {@code batch} (prompt chunks and decode rows of distinct
     * sequences) in one forward pass and leaves the logits each group asked for in the batch.
     */
    void step(StepBatch batch);

    /** Feeds tokens to one sequence in a step of its own; returns the logits after the last one (warm-up, tests). */
    default float[] prefill(Sequence sequence, int[] tokens) {
        StepBatch batch = new StepBatch();
        batch.add(sequence, tokens, 0, tokens.length, true);
        step(batch);
        return batch.logits(0);
    }

    TextDecoder newDecoder();

    /** The bytes a token adds to the decoded text (part of a UTF-8 character for byte tokens; none for control tokens). */
    byte[] tokenBytes(int token);

    boolean isEndOfGeneration(int token);

    /** A fresh mask that keeps one generation's output a document of {@code grammar} (structured output). */
    TokenMask jsonMask(JsonGrammar grammar);

    /** Frees the weights' mapping and compute threads. */
    @Override
    void close();
}
