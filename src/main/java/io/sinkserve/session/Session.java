package io.sinkserve.session;

import io.sinkserve.scheduler.CacheStats;
import io.sinkserve.scheduler.EngineSequence;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.tokenizer.ChatMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A conversation kept in memory: its sequence (KV cache + token history), settings, owner and counters.
 * One request at a time holds it (see {@link SessionRegistry#acquire}); only that request touches the
 * sequence and conversation.
 */
public final class Session {
    private final String id;
    private final String owner;
    private final SessionSettings settings;
    private final boolean ephemeral;
    private final Instant createdAt;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final List<ChatMessage> conversation = new ArrayList<>();
    private volatile Instant lastUsedAt;
    private volatile long lastUsedNanos;
    private volatile EngineSequence sequence;
    private Continuation continuation;
    private volatile long requests;
    private volatile long generatedTokens;
    private volatile long prefilledTokens;
    private volatile long rebuilds;
    private volatile double lastTimeToFirstTokenMs;
    private volatile double lastTokensPerSecond;

    Session(String id, String owner, SessionSettings settings, boolean ephemeral, long nowNanos) {
        this.id = id;
        this.owner = owner;
        this.settings = settings;
        this.ephemeral = ephemeral;
        this.createdAt = Instant.now();
        this.lastUsedAt = createdAt;
        this.lastUsedNanos = nowNanos;
    }

    public String id() {
        return id;
    }

    String owner() {
        return owner;
    }

    public SessionSettings settings() {
        return settings;
    }

    public boolean ephemeral() {
        return ephemeral;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant lastUsedAt() {
        return lastUsedAt;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    boolean tryAcquire() {
        return busy.compareAndSet(false, true);
    }

    void release(long nowNanos) {
        lastUsedAt = Instant.now();
        lastUsedNanos = nowNanos;
        busy.set(false);
    }

    public boolean busy() {
        return busy.get();
    }

    /** The sequence, or null before the first request. */
    public EngineSequence sequence() {
        return sequence;
    }

    void sequence(EngineSequence s) {
        sequence = s;
        continuation = null;
    }

    /** Set by the request that finished a turn, so the next turn prefills only what is new. */
    public void continueWith(Continuation c) {
        continuation = c;
    }

    /** The last turn's continuation, consumed: a turn that does not finish leaves none. */
    Continuation takeContinuation() {
        Continuation c = continuation;
        continuation = null;
        return c;
    }

    /** The messages of the native API's conversation, in order; touched only by the request holding the session. */
    public List<ChatMessage> conversation() {
        return conversation;
    }

    /** Cache statistics, or an empty cache's before the first request. */
    public CacheStats cacheStats() {
        EngineSequence s = sequence;
        return s == null ? new CacheStats(0, 0, 0, 0, 0, 0) : s.stats();
    }

    long bytes() {
        EngineSequence s = sequence;
        return s == null ? 0 : s.stats().bytes();
    }

    void rebuilt() {
        rebuilds++;
    }

    /** Records a finished request's numbers. */
    public void record(GenerationResult r) {
        requests++;
        prefilledTokens += r.prefilledTokens();
        generatedTokens += r.generatedTokens();
        lastTimeToFirstTokenMs = r.timeToFirstTokenNanos() / 1e6;
        lastTokensPerSecond = r.tokensPerSecond();
    }

    public long requests() {
        return requests;
    }

    public long generatedTokens() {
        return generatedTokens;
    }

    public long prefilledTokens() {
        return prefilledTokens;
    }

    public long rebuilds() {
        return rebuilds;
    }

    public double lastTimeToFirstTokenMs() {
        return lastTimeToFirstTokenMs;
    }

    public double lastTokensPerSecond() {
        return lastTokensPerSecond;
    }
}
