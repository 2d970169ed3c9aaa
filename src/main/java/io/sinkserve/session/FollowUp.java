package io.sinkserve.session;

import io.sinkserve.model.Engine;
import io.sinkserve.model.PromptRejectedException;
import io.sinkserve.model.Sequence;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds the {@link Continuation} a finished turn leaves on its session; cheap, as it runs on the scheduler thread. */
@FunctionalInterface
public interface FollowUp {
    Continuation after(GenerationResult result, String reply);

    /**
     * A chat turn: the next turn will resend this conversation plus our reply, rendered canonically. The tokens
     * the template puts after an (empty) assistant reply are its end-of-turn markup, to feed before the next
     * turn. Templates whose generation prompt is not the start of an assistant message get no follow-up.
     */
    static FollowUp chat(Engine engine, List<ChatMessage> messages, int[] prompt) {
        int[] empty;
        try {
            empty = engine.renderChat(withReply(messages, ""), false);
        } catch (PromptRejectedException e) {
            return (r, reply) -> null;
        }
        if (empty.length < prompt.length || !Arrays.equals(empty, 0, prompt.length, prompt, 0, prompt.length)) {
            return (r, reply) -> null;
        }
        int[] markup = Arrays.copyOfRange(empty, prompt.length, empty.length);
        return (r, reply) -> new Continuation(
                Continuation.Seen.rendered(() -> engine.renderChat(withReply(messages, reply), false)), concat(unfed(r), markup));
    }

    /**
     * A text completion: the next prompt is expected to extend everything fed (this prompt and the generated
     * tokens) plus the last generated token if it was not fed; checked against the sequence's token trail.
     */
    static FollowUp text(Session session) {
        return (r, reply) -> {
            int[] unfed = unfed(r);
            Sequence seq = session.sequence();
            int fed = (int) seq.stats().tokensSeen();
            return new Continuation(next -> seq.isPrefixOf(next) && next.length > fed + unfed.length
                    && Arrays.equals(unfed, 0, unfed.length, next, fed, fed + unfed.length) ? fed + unfed.length : -1, unfed);
        };
    }

    private static List<ChatMessage> withReply(List<ChatMessage> messages, String reply) {
        List<ChatMessage> all = new ArrayList<>(messages);
        all.add(new ChatMessage("assistant", reply));
        return all;
    }

    private static int[] unfed(GenerationResult r) {
        return r.unfedToken() >= 0 ? new int[] {r.unfedToken()} : new int[0];
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
