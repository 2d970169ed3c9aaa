package io.sinkserve.api;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.scheduler.SchedulerLimits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Every service setting, documented with defaults and environment variables in README.md (Configuration). */
@ConfigMapping(prefix = "sinkserve")
public interface SinkserveConfig {
    /** The GGUF file to serve; default: the model store's file of the default entry of model-store/models.json. */
    Optional<Path> model();

    /** The id clients use in the "model" field; default: the manifest entry's name, else the file name without ".gguf". */
    Optional<String> modelName();

    /** Where pulled models are (shared with ./sinkserve pull). */
    @WithDefault("model-store")
    Path modelStore();

    /**
     * Overrides the model's chat template: a built-in name (chatml, llama2, llama3, phi3, plain) or a path to a
     * Jinja file; default: the manifest entry's template, else the GGUF's own, else a built-in fallback.
     */
    Optional<String> chatTemplate();

    /** Compute threads; 0 = one per available processor. */
    @WithDefault("0")
    int threads();

    Cache cache();

    Limits limits();

    Api api();

    Sessions sessions();

    /** A ": ping" comment is sent when a stream has been silent this long. */
    @WithDefault("10s")
    Duration pingInterval();

    /** On shutdown, running generations get this long to finish before their streams are cut. */
    @WithDefault("30s")
    Duration shutdownGrace();

    interface Cache {
        /** Attention-sink tokens kept at the start of every session's cache. */
        @WithDefault("" + CacheConfig.DEFAULT_SINKS)
        int sinks();

        /**
         * Rolling-window tokens; default: the model's context length minus the sinks, at most 2048
         * ({@link CacheConfig#defaultWindow}).
         */
        OptionalInt window();

        /** token: evict one token at a time; batch: evict batch-size tokens at once when full. */
        @WithDefault("token")
        String policy();

        /** Tokens evicted at once by the batch policy; default: half the window ({@link CacheConfig#defaultBatchSize}). */
        OptionalInt batchSize();

        /** f32 or f16 KV entries. */
        @WithDefault("f32")
        String kvStorage();

        /** Keep the whole system prompt as sinks so it survives eviction. */
        @WithDefault("false")
        boolean pinSystemPrompt();
    }

    interface Limits {
        @WithDefault("64")
        int maxSessions();

        @WithDefault("30m")
        Duration sessionIdleTtl();

        /** Bytes all sessions' KV caches may take together. */
        @WithDefault("2147483648")
        long kvMemoryBudget();

        /** Sequences decoded together in one batch. */
        @WithDefault("8")
        int maxRunning();

        /** Requests queued beyond max-running; more get 429. */
        @WithDefault("32")
        int maxWaiting();

        /** Prompt tokens prefilled per scheduler step. */
        @WithDefault("" + SchedulerLimits.DEFAULT_PREFILL_CHUNK)
        int prefillChunk();

        /** New prompt tokens one request may bring. */
        @WithDefault("8192")
        int maxPromptTokens();

        @WithDefault("1048576")
        int maxBodyBytes();

        /** max_tokens when a request does not say. */
        @WithDefault("256")
        int maxTokensDefault();

        /** The largest max_tokens a request may ask for. */
        @WithDefault("4096")
        int maxTokensLimit();

        /** The largest repeat_last_n (penalty window) a request may ask for. */
        @WithDefault("4096")
        int maxRepeatLastN();

        /** A stream whose client reads nothing for this long is cancelled (generation pauses meanwhile). */
        @WithDefault("30s")
        Duration stallTimeout();
    }

    interface Sessions {
        /**
         * A chat request without X-Session-ID continues the caller's idle session whose conversation it extends
         * exactly (else starts a new one, named in the X-Session-ID response header); off: such requests get a
         * throw-away session.
         */
        @WithDefault("true")
        boolean implicit();

        /**
         * Where sessions are kept across restarts: every session is written here on graceful shutdown (after the
         * drain) and the ones written for the same model file are restored at startup, before readiness is UP.
         * Unset: sessions live in memory only.
         */
        Optional<Path> persistDir();

        /** Also write the sessions used since their last write this often, so a crash loses little; unset: only on shutdown. */
        Optional<Duration> persistInterval();
    }

    interface Api {
        /** Accepted Bearer keys; none (and no keys-file) = no authentication. */
        Optional<List<String>> keys();

        /** A file with one accepted key per line (blank lines and # comments ignored). */
        Optional<Path> keysFile();

        /**
         * Lets serve listen on a non-loopback address with no API key; without it such a start is refused, so a
         * server is never opened to the network by accident.
         */
        @WithDefault("false")
        boolean allowUnauthenticated();

        /** Origins browsers may call /v1 from ("*" for any); none = no CORS headers, preflights get 404. */
        Optional<List<String>> corsOrigins();
    }
}
