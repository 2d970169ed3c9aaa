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

    /** Rebuilt from what {@link #context()} kept (a restored session); the message count restarts from it. */
    static NativeConversation of(List<ChatMessage> context) {
        NativeConversation c = new NativeConversation();
        int from = !context.isEmpty() && context.get(0).role().equals("system") ? 1 : 0;
        c.system = from == 1 ? context.get(0) : null;
        c.lastExchange = List.copyOf(context.subList(from, context.size()));
        c.messages = context.size();
        return c;
    }

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
