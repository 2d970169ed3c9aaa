package io.sinkserve.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index that lets a request without a session id continue the session whose conversation it extends (as
 * llama.cpp's server reuses a slot by prefix). After each finished turn an implicit session is indexed under
 * its owner, its prompt's length and a hash of the prompt; a new prompt looks up, longest first, each indexed
 * length it is longer than. The hash only finds candidates: a candidate is taken only if its follow-up accepts
 * the new prompt token for token, exactly as an explicit session's next turn is checked, so one client never
 * gets another's conversation. Not thread-safe: {@link SessionRegistry} guards it.
 */
final class ImplicitSessions {
    private record Key(int length, long hash) {
    }

    private final Map<String, TreeMap<Integer, Map<Long, Session>>> byOwner = new HashMap<>();
    private final Map<Session, Key> keys = new HashMap<>();

    private static final long BASE = 0x9E3779B97F4A7C15L;

    /** Polynomial hash (mod 2^64) of every prefix: {@code h[i]} covers {@code tokens[0 .. i)}. */
    private static long[] prefixHashes(int[] tokens) {
        long[] h = new long[tokens.length + 1];
        for (int i = 0; i < tokens.length; i++) {
            h[i + 1] = h[i] * BASE + tokens[i] + 1;
        }
        return h;
    }

    /** Indexes {@code s} under the prompt of the turn it just finished (replacing its previous entry). */
    void put(Session s, int[] prompt) {
        remove(s);
        Key k = new Key(prompt.length, prefixHashes(prompt)[prompt.length]);
        byOwner.computeIfAbsent(s.owner(), o -> new TreeMap<>()).computeIfAbsent(k.length, l -> new HashMap<>())
                .put(k.hash, s);
        keys.put(s, k);
    }

    void remove(Session s) {
        Key k = keys.remove(s);
        if (k == null) {
            return;
        }
        TreeMap<Integer, Map<Long, Session>> lengths = byOwner.get(s.owner());
        Map<Long, Session> sessions = lengths.get(k.length);
        if (sessions.get(k.hash) == s) {
            sessions.remove(k.hash);
        }
        if (sessions.isEmpty()) {
            lengths.remove(k.length);
        }
        if (lengths.isEmpty()) {
            byOwner.remove(s.owner());
        }
    }

    /** The owner's indexed sessions whose last prompt may be a prefix of {@code prompt}, longest first. */
    List<Session> candidates(String owner, int[] prompt) {
        TreeMap<Integer, Map<Long, Session>> lengths = byOwner.get(owner);
        List<Session> out = new ArrayList<>();
        if (lengths == null) {
            return out;
        }
        long[] h = prefixHashes(prompt);
        for (Map.Entry<Integer, Map<Long, Session>> e : lengths.headMap(prompt.length, false).descendingMap().entrySet()) {
            Session s = e.getValue().get(h[e.getKey()]);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }
}
