package io.sinkserve.api;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/** The JSON a client (and the chat page) sees for a session: settings, cache fill, evictions, last timings. */
final class SessionView {
    private SessionView() {
    }

    static ObjectNode of(ObjectMapper json, Session s) {
        ObjectNode o = json.createObjectNode();
        o.put("id", s.id()).put("object", "session")
                .put("created_at", s.createdAt().getEpochSecond())
                .put("last_used_at", s.lastUsedAt().getEpochSecond())
                .put("busy", s.busy());
        CacheConfig c = s.settings().cache();
        ObjectNode settings = o.putObject("settings");
        settings.put("sinks", c.sinks()).put("window", c.window())
                .put("policy", c.policy().name().toLowerCase(Locale.ROOT)).put("batch_size", c.batchSize())
                .put("kv_storage", c.storage().name().toLowerCase(Locale.ROOT))
                .put("pin_system_prompt", s.settings().pinSystemPrompt());
        o.set("cache", cache(json, s.cacheStats()));
        o.put("tokens_seen", s.cacheStats().tokensSeen())
                .put("requests", s.requests())
                .put("prefilled_tokens", s.prefilledTokens())
                .put("generated_tokens", s.generatedTokens())
                .put("rebuilds", s.rebuilds())
                .put("messages", s.conversation().messages())
                .put("heap_bytes", s.heapBytes())
                .put("last_ttft_ms", s.lastTimeToFirstTokenMs())
                .put("last_tokens_per_second", s.lastTokensPerSecond());
        return o;
    }

    static ObjectNode cache(ObjectMapper json, CacheStats c) {
        ObjectNode o = json.createObjectNode();
        o.put("capacity", c.capacity()).put("tokens", c.size()).put("tokens_seen", c.tokensSeen())
                .put("evictions", c.evictions()).put("evicted_tokens", c.evictedTokens()).put("bytes", c.bytes())
                .put("usage_ratio", c.capacity() == 0 ? 0 : (double) c.size() / c.capacity());
        return o;
    }
}
