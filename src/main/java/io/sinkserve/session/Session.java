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
    private volatile boolean removed;
    private volatile long requests;
    private volatile long generatedTokens;
    private volatile long prefilledTokens;
    private volatile long rebuilds;
    private volatile double lastTimeToFirstTokenMs;
    private volatile double lastTokensPerSecond;

    Session(String id, String owner, SessionSettings settings, boolean ephemeral, long nowNanos) {
        this(id, owner, settings, ephemeral, Instant.now(), nowNanos);
    }

    private Session(String id, String owner, SessionSettings settings, boolean ephemeral, Instant createdAt, long nowNanos) {
        this.id = id;
        this.owner = owner;
        this.settings = settings;
        this.ephemeral = ephemeral;
        this.createdAt = createdAt;
        this.lastUsedAt = Instant.now();
        this.lastUsedNanos = nowNanos;
    }

    /** A session rebuilt from a snapshot; its idle clock (TTL, LRU) starts now, lastUsedAt still tells the last use. */
    static Session restored(SessionSnapshot snap, EngineSequence sequence, long nowNanos) {
        Session s = new Session(snap.id(), snap.owner(), snap.settings(), false, Instant.ofEpochMilli(snap.createdAtMs()), nowNanos);
        s.lastUsedAt = Instant.ofEpochMilli(snap.lastUsedAtMs());
        s.sequence = sequence;
        s.conversation.addAll(snap.conversation());
        if (snap.seen() != null) {
            int[] seen = snap.seen();
            s.continuation = new Continuation(() -> seen, snap.pending());
        }
        SessionSnapshot.Counters c = snap.counters();
        s.requests = c.requests();
        s.generatedTokens = c.generatedTokens();
        s.prefilledTokens = c.prefilledTokens();
        s.rebuilds = c.rebuilds();
        s.lastTimeToFirstTokenMs = c.lastTimeToFirstTokenMs();
        s.lastTokensPerSecond = c.lastTokensPerSecond();
        return s;
    }

    /** This session as data; only while no request holds it (the continuation's rendering runs here). */
    public SessionSnapshot snapshot() {
        Continuation c = continuation;
        int[] seen = c == null ? null : c.seen().get();
        return new SessionSnapshot(id, owner, settings, createdAt.toEpochMilli(), lastUsedAt.toEpochMilli(),
                conversation, seen, c == null ? null : c.pending(), new SessionSnapshot.Counters(requests, generatedTokens,
                prefilledTokens, rebuilds, lastTimeToFirstTokenMs, lastTokensPerSecond));
    }

    public String id() {
        return id;
    }

    /** Who created the session (its API key, "" without keys); requests of any other owner never see it. */
    public String owner() {
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

    /** Ends a hold that was not a use (a background snapshot): the idle clock is left as it was. */
    void releaseUnused() {
        busy.set(false);
    }

    void markRemoved() {
        removed = true;
    }

    /** True once the registry has removed this session (for any reason); it is never used again. */
    public boolean removed() {
        return removed;
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
