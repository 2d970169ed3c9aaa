package io.sinkserve.session;

import io.sinkserve.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * What a native session keeps of its conversation: the system prompt and the last exchange only, never a
 * transcript that grows. The KV cache already holds the conversation; a new message needs only the tokens the
 * chat template adds for it, which are the difference between rendering {@link #context()} with and without it.
 * Touched only by the request holding the session.
 */
public final class NativeConversation {
    private ChatMessage system;
    private List<ChatMessage> lastExchange = List.of();
    private long messages;

    public void system(ChatMessage m) {
        system = m;
        messages++;
    }

    /** The messages a new one is rendered after: the system prompt (if any) and the last user message and reply. */
    public List<ChatMessage> context() {
        List<ChatMessage> out = new ArrayList<>(3);
        if (system != null) {
            out.add(system);
        }
        out.addAll(lastExchange);
        return out;
    }

    /** A turn finished: its message and the reply become the last exchange. */
    public void completed(ChatMessage message, String reply) {
        lastExchange = List.of(message, new ChatMessage("assistant", reply));
        messages += 2;
    }

    /** Takes back a kept {@link #context()} (a restored snapshot); older messages are not counted any more. */
    public void restore(List<ChatMessage> kept) {
        int from = 0;
        if (!kept.isEmpty() && kept.getFirst().role().equals("system")) {
            system = kept.getFirst();
            from = 1;
        }
        lastExchange = List.copyOf(kept.subList(from, kept.size()));
        messages = kept.size();
    }

    /** Messages in the conversation so far, counting those no longer kept. */
    public long messages() {
        return messages;
    }

    /** Heap bytes of the kept text (two per char), for the per-session memory figure. */
    public long bytes() {
        long chars = 0;
        for (ChatMessage m : context()) {
            chars += m.content().length() + m.role().length();
        }
        return 2 * chars;
    }
}
