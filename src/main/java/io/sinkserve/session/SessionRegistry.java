package io.sinkserve.session;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.EngineSequence;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * All sessions by owner and id: two API keys may use the same session id for two different sessions, and
 * neither can see or squat on the other's. Enforces the idle TTL, the session count and the KV memory budget, removing the least
 * recently used idle sessions when needed, and counts every removal by reason. Ephemeral sessions (requests
 * without a session id) count against the memory budget only while their request runs.
 */
public final class SessionRegistry {
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Engine engine;
    private final SessionLimits limits;
    private final ServiceMetrics metrics;
    private final LongSupplier nanoClock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final ImplicitSessions implicit = new ImplicitSessions();
    private volatile BiConsumer<String, String> removalListener = (id, owner) -> { };

    public SessionRegistry(Engine engine, SessionLimits limits, ServiceMetrics metrics, LongSupplier nanoClock) {
        this.engine = engine;
        this.limits = limits;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        metrics.bindSessions(this::active, this::cacheTokens, this::cacheBytes, this::usageRatio);
    }

    public static boolean isValidId(String id) {
        return id != null && VALID_ID.matcher(id).matches();
    }

    private static String key(String owner, String id) {
        return owner + '\u0000' + id;
    }

    /** A new named session with a fresh id (native API). */
    public synchronized Session create(String owner, SessionSettings settings) {
        return add(newId("sess-"), owner, settings, false, false);
    }

    /**
     * Takes the owner's session for one request, creating it on first use (the X-Session-ID header). Throws
     * {@link SessionBusyException} if in use.
     */
    public synchronized Session acquireOrCreate(String id, String owner, SessionSettings settingsIfNew) {
        Session s = sessions.get(key(owner, id));
        if (s == null) {
            s = add(id, owner, settingsIfNew, false, false);
        }
        return acquire(s, id);
    }

    /** Takes an existing session of the owner for one request (native API). */
    public synchronized Session acquire(String id, String owner) {
        return acquire(sessions.get(key(owner, id)), id);
    }

    /** A session for one request only, gone when released. */
    public synchronized Session acquireEphemeral(String owner, SessionSettings settings) {
        Session s = add(newId("tmp-"), owner, settings, true, false);
        return acquire(s, s.id());
    }

    /**
     * Takes the owner's idle implicit session that {@code prompt} continues exactly (its last turn's follow-up
     * accepts it token for token), else a new implicit session; counts the hit or miss. The check renders outside
     * the registry's lock, on a candidate already taken, so a slow template never holds up other requests.
     */
    public Session acquireImplicit(String owner, int[] prompt, SessionSettings settings) {
        for (Session c : candidates(owner, prompt)) {
            if (!c.tryAcquire()) {
                continue;
            }
            boolean continues;
            try {
                continues = c.canContinue() && c.continuation().seen().prefixIn(prompt) > 0;
            } catch (RuntimeException e) {
                continues = false;
            }
            if (continues && stillRegistered(c)) {
                metrics.implicitSession(true);
                return c;
            }
            c.releaseUnused();
        }
        metrics.implicitSession(false);
        synchronized (this) {
            return acquire(add(newId("imp-"), owner, settings, false, true), null);
        }
    }

    private synchronized List<Session> candidates(String owner, int[] prompt) {
        return implicit.candidates(owner, prompt);
    }

    private synchronized boolean stillRegistered(Session s) {
        return sessions.get(key(s.owner(), s.id())) == s;
    }

    /** An implicit session finished a turn on {@code prompt}: later prompts that extend it find it. */
    synchronized void indexImplicit(Session s, int[] prompt) {
        if (s.implicit() && stillRegistered(s)) {
            implicit.put(s, prompt);
        }
    }

    private static Session acquire(Session s, String id) {
        if (s == null) {
            throw new SessionNotFoundException(id);
        }
        if (!s.tryAcquire()) {
            throw new SessionBusyException(id);
        }
        return s;
    }

    public synchronized void release(Session s) {
        s.release(nanoClock.getAsLong());
        if (s.ephemeral()) {
            sessions.remove(key(s.owner(), s.id()));
            closeSequence(s);
        }
    }

    /**
     * Releases a session this request created and never ran a turn on, removing it, so a refused first request
     * leaves no trace.
     */
    public synchronized void releaseUnused(Session s) {
        if (!s.ephemeral() && s.requests() == 0 && s.sequence() == null) {
            sessions.remove(key(s.owner(), s.id()));
            implicit.remove(s);
        }
        release(s);
    }

    public synchronized Optional<Session> find(String id, String owner) {
        Session s = sessions.get(key(owner, id));
        return s == null || s.ephemeral() ? Optional.empty() : Optional.of(s);
    }

    public synchronized void delete(String id, String owner) {
        Session s = find(id, owner).orElseThrow(() -> new SessionNotFoundException(id));
        if (s.busy()) {
            throw new SessionBusyException(id);
        }
        remove(s, RemovalReason.DELETED);
    }

    /**
     * Decides what a turn must prefill, changing nothing. When the prompt extends what the session has seen (the
     * last turn's canonical rendering, else the tokens fed), only the new part is prefilled, after any tokens the
     * last turn left pending. Otherwise the turn starts on a fresh sequence with the whole prompt, a rebuild when
     * the session had history. The caller holds the session.
     */
    public TurnPlan plan(Session s, int[] prompt) {
        return plan(s, prompt, false);
    }

    /** {@link #plan(Session, int[])}, or with {@code extendsStream} a prompt that is only what follows the stream. */
    public TurnPlan plan(Session s, int[] prompt, boolean extendsStream) {
        EngineSequence seq = s.sequence();
        Continuation c = s.continuation();
        if (extendsStream) {
            if (!s.canContinue()) {
                throw new IllegalStateException("a prompt that extends the stream needs a session with a finished turn");
            }
            int[] fresh = new int[c.pending().length + prompt.length];
            System.arraycopy(c.pending(), 0, fresh, 0, c.pending().length);
            System.arraycopy(prompt, 0, fresh, c.pending().length, prompt.length);
            int cached = (int) Math.min(Integer.MAX_VALUE, seq.stats().tokensSeen());
            return new TurnPlan(cached + fresh.length, fresh, cached, false, false);
        }
        if (seq != null && c != null) {
            int seen = c.seen().prefixIn(prompt);
            if (seen > 0) {
                int[] fresh = new int[c.pending().length + prompt.length - seen];
                System.arraycopy(c.pending(), 0, fresh, 0, c.pending().length);
                System.arraycopy(prompt, seen, fresh, c.pending().length, prompt.length - seen);
                return new TurnPlan(prompt.length, fresh, seen, false, false);
            }
        }
        if (seq != null && seq.isPrefixOf(prompt)) {
            int fed = (int) seq.stats().tokensSeen();
            return new TurnPlan(prompt.length, Arrays.copyOfRange(prompt, fed, prompt.length), fed, false, false);
        }
        boolean rebuild = seq != null && seq.stats().tokensSeen() > 0;
        return new TurnPlan(prompt.length, prompt, 0, true, rebuild);
    }

    /**
     * A fresh sequence for a turn on {@code s}, held aside (and counted against the memory budget) until the turn
     * {@link #install}s or {@link #discard}s it; idle sessions' memory is freed if the budget needs it.
     */
    public synchronized EngineSequence allocate(Session s, CacheConfig config) {
        EngineSequence seq = engine.newSequence(config);
        seq.setEvictionListener((policy, tokens) -> metrics.evicted(policy.name(), tokens));
        s.turnSequence(seq);
        while (cacheBytes() > limits.kvMemoryBudget()) {
            Optional<Session> victim = leastRecentlyUsedIdle(s, true);
            if (victim.isEmpty()) {
                discard(s);
                throw new SessionCapacityException("the KV cache memory budget (" + limits.kvMemoryBudget()
                        + " bytes) is taken by sessions in use; retry shortly");
            }
            remove(victim.get(), RemovalReason.MEMORY);
        }
        return seq;
    }

    /** The turn on the fresh sequence succeeded: it replaces the session's old one (a rebuild when it had history). */
    public synchronized void install(Session s) {
        EngineSequence fresh = s.turnSequence();
        if (fresh == null) {
            return;
        }
        EngineSequence old = s.sequence();
        if (old != null && old.stats().tokensSeen() > 0) {
            s.rebuilt();
            metrics.sessionRebuilt();
        }
        s.turnSequence(null);
        s.sequence(fresh);
        if (old != null) {
            old.close();
        }
    }

    /** The turn on the fresh sequence did not finish: the session keeps its old sequence, the fresh one is freed. */
    synchronized void discard(Session s) {
        EngineSequence fresh = s.turnSequence();
        s.turnSequence(null);
        if (fresh != null) {
            fresh.close();
        }
    }

    /** Removes sessions idle longer than the TTL; returns how many. */
    public synchronized int removeExpired() {
        long now = nanoClock.getAsLong();
        long ttl = limits.idleTtl().toNanos();
        int removed = 0;
        for (Session s : sessions.values().toArray(Session[]::new)) {
            if (!s.ephemeral() && !s.busy() && now - s.lastUsedNanos() > ttl) {
                remove(s, RemovalReason.TTL);
                removed++;
            }
        }
        return removed;
    }

    private Session add(String id, String owner, SessionSettings settings, boolean ephemeral, boolean isImplicit) {
        if (!ephemeral) {
            removeExpired();
            while (active() >= limits.maxSessions()) {
                Session victim = leastRecentlyUsedIdle(null, false).orElseThrow(() -> new SessionCapacityException(
                        "all " + limits.maxSessions() + " sessions are in use; retry shortly"));
                remove(victim, RemovalReason.LRU);
            }
        }
        Session s = new Session(id, owner, settings, ephemeral, isImplicit, nanoClock.getAsLong());
        sessions.put(key(owner, id), s);
        return s;
    }

    private Optional<Session> leastRecentlyUsedIdle(Session except, boolean withCache) {
        return sessions.values().stream()
                .filter(s -> s != except && !s.busy() && !s.ephemeral() && (!withCache || s.bytes() > 0))
                .min(Comparator.comparingLong(Session::lastUsedNanos));
    }

    private void remove(Session s, RemovalReason reason) {
        sessions.remove(key(s.owner(), s.id()));
        implicit.remove(s);
        s.markRemoved();
        closeSequence(s);
        metrics.sessionRemoved(reason.label());
        removalListener.accept(s.id(), s.owner());
    }

    /** Told the id and owner of every session removed, for any reason (the persistence layer forgets its file). */
    public void onRemoval(BiConsumer<String, String> listener) {
        removalListener = listener;
    }

    /** The named (non-ephemeral) sessions now, busy or not. */
    public synchronized List<Session> named() {
        return sessions.values().stream().filter(s -> !s.ephemeral()).toList();
    }

    /**
     * Runs {@code task} on an idle session while holding it, so no request changes it meanwhile; the hold is not a use
     * (its TTL and LRU order stay). Returns false, running nothing, when the session is busy or gone. A request
     * arriving during the hold gets the usual busy answer.
     */
    public boolean whileIdle(Session s, Consumer<Session> task) {
        synchronized (this) {
            if (sessions.get(key(s.owner(), s.id())) != s || !s.tryAcquire()) {
                return false;
            }
        }
        try {
            task.accept(s);
            return true;
        } finally {
            s.releaseUnused();
        }
    }

    /**
     * Puts a session rebuilt from a snapshot back under its id, with its idle clock starting now, if the limits have
     * room without removing anyone (restore the most recently used first). Returns false when they have none or the
     * id is taken; the sequence then stays the caller's to close.
     */
    public synchronized boolean restore(SessionSnapshot snapshot, EngineSequence sequence) {
        if (sessions.containsKey(key(snapshot.owner(), snapshot.id())) || active() >= limits.maxSessions()
                || cacheBytes() + sequence.stats().bytes() > limits.kvMemoryBudget()) {
            return false;
        }
        sequence.setEvictionListener((policy, tokens) -> metrics.evicted(policy.name(), tokens));
        Session s = Session.restored(snapshot, sequence, nanoClock.getAsLong());
        sessions.put(key(s.owner(), s.id()), s);
        if (s.implicit() && snapshot.seen() != null) {
            // the stream its next prompt must extend finds it, as the last prompt did before the restart
            implicit.put(s, snapshot.seen());
        }
        return true;
    }

    /** Frees a session's caches; only for sessions no generation is using. */
    private void closeSequence(Session s) {
        discard(s);
        EngineSequence seq = s.sequence();
        s.sequence(null);
        if (seq != null) {
            seq.close();
        }
    }

    private String newId(String prefix) {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    public synchronized int active() {
        return (int) sessions.values().stream().filter(s -> !s.ephemeral()).count();
    }

    public synchronized long cacheTokens() {
        return sessions.values().stream().mapToLong(s -> s.cacheStats().size()).sum();
    }

    public synchronized long cacheBytes() {
        return sessions.values().stream().mapToLong(Session::bytes).sum();
    }

    public synchronized double usageRatio() {
        long capacity = 0;
        long size = 0;
        for (Session s : sessions.values()) {
            CacheStats c = s.cacheStats();
            capacity += c.capacity();
            size += c.size();
        }
        return capacity == 0 ? 0 : (double) size / capacity;
    }
}
