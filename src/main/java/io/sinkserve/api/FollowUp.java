package io.sinkserve.api;

import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.scheduler.PromptRejectedException;
import io.sinkserve.session.Continuation;
import io.sinkserve.session.Session;
import io.sinkserve.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds the {@link Continuation} a finished turn leaves on its session; cheap, as it runs on the scheduler thread. */
@FunctionalInterface
interface FollowUp {
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
        return (r, reply) -> new Continuation(() -> engine.renderChat(withReply(messages, reply), false),
                concat(unfed(r), markup));
    }

    /** A text completion: the next prompt is expected to extend this prompt and the generated tokens. */
    static FollowUp text(Session session) {
        return (r, reply) -> {
            int[] unfed = unfed(r);
            int[] seen = concat(session.sequence().history(), unfed);
            return new Continuation(() -> seen, unfed);
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
