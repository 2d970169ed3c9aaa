package io.sinkserve.session;

import io.sinkserve.cache.CacheStats;
import io.sinkserve.scheduler.EngineSequence;
import io.sinkserve.scheduler.GenerationResult;

import java.time.Instant;
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
    private final boolean implicit;
    private final Instant createdAt;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final NativeConversation conversation = new NativeConversation();
    private volatile Instant lastUsedAt;
    private volatile long lastUsedNanos;
    private volatile EngineSequence sequence;
    private volatile EngineSequence turnSequence;   // a running turn's fresh sequence, installed when the turn succeeds
    private Continuation continuation;
    private volatile boolean removed;
    private volatile long requests;
    private volatile long generatedTokens;
    private volatile long prefilledTokens;
    private volatile long rebuilds;
    private volatile double lastTimeToFirstTokenMs;
    private volatile double lastTokensPerSecond;

    Session(String id, String owner, SessionSettings settings, boolean ephemeral, boolean implicit, long nowNanos) {
        this(id, owner, settings, ephemeral, implicit, Instant.now(), nowNanos);
    }

    private Session(String id, String owner, SessionSettings settings, boolean ephemeral, boolean implicit,
                    Instant createdAt, long nowNanos) {
        this.id = id;
        this.owner = owner;
        this.settings = settings;
        this.ephemeral = ephemeral;
        this.implicit = implicit;
        this.createdAt = createdAt;
        this.lastUsedAt = Instant.now();
        this.lastUsedNanos = nowNanos;
    }

    /** A session rebuilt from a snapshot; its idle clock (TTL, LRU) starts now, lastUsedAt still tells the last use. */
    static Session restored(SessionSnapshot snap, EngineSequence sequence, long nowNanos) {
        Session s = new Session(snap.id(), snap.owner(), snap.settings(), false, snap.implicit(),
                Instant.ofEpochMilli(snap.createdAtMs()), nowNanos);
        s.lastUsedAt = Instant.ofEpochMilli(snap.lastUsedAtMs());
        s.sequence = sequence;
        s.conversation.restore(snap.conversation());
        if (snap.seen() != null) {
            int[] seen = snap.seen();
            s.continuation = new Continuation(Continuation.Seen.rendered(() -> seen), snap.pending());
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
        int[] seen = c == null ? null : c.seen().tokens();
        return new SessionSnapshot(id, owner, implicit, settings, createdAt.toEpochMilli(), lastUsedAt.toEpochMilli(),
                conversation.context(), seen, seen == null ? null : c.pending(), new SessionSnapshot.Counters(requests, generatedTokens,
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

    /** Created for a request without a session id; found again by the prompts that continue it. */
    public boolean implicit() {
        return implicit;
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

    /** The fresh sequence a running turn started on, or null. */
    EngineSequence turnSequence() {
        return turnSequence;
    }

    void turnSequence(EngineSequence s) {
        turnSequence = s;
    }

    /** Set by the turn that finished, so the next turn prefills only what is new. */
    public void continueWith(Continuation c) {
        continuation = c;
    }

    /** What the last finished turn left for the next one, or null; a turn that does not finish leaves it as it was. */
    Continuation continuation() {
        return continuation;
    }

    /** The native API's conversation (what of it the next message is rendered against). */
    public NativeConversation conversation() {
        return conversation;
    }

    /** True when a new turn may simply extend the session's stream: it has a cache and a finished last turn. */
    public boolean canContinue() {
        return sequence != null && continuation != null;
    }

    /** Cache statistics, or an empty cache's before the first request. */
    public CacheStats cacheStats() {
        EngineSequence s = sequence;
        return s == null ? new CacheStats(0, 0, 0, 0, 0, 0) : s.stats();
    }

    /** Off-heap bytes of the session's caches, a running turn's fresh one included. */
    long bytes() {
        EngineSequence s = sequence;
        EngineSequence t = turnSequence;
        return (s == null ? 0 : s.stats().bytes()) + (t == null ? 0 : t.stats().bytes());
    }

    /**
     * Heap bytes the session keeps besides its off-heap cache: the sequence's token trail (one int per cache slot)
     * and the native conversation's kept context. Bounded by the cache capacity and the last turn, never by the
     * conversation's length.
     */
    public long heapBytes() {
        EngineSequence s = sequence;
        return (s == null ? 0 : s.heapBytes()) + conversation.bytes();
    }

    void rebuilt() {
        rebuilds++;
    }

    /** Records a finished request's numbers. */
    void record(GenerationResult r) {
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
