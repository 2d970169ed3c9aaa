package io.sinkserve.session;

import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.EngineSequence;

/** Test fixture for other packages: a session left as a finished turn leaves it, without the scheduler. */
public final class FinishedTurns {
    private FinishedTurns() {
    }

    /**
     * Acquires (or creates) the session, feeds {@code prompt} as a turn would, and leaves a continuation that
     * expects the next prompt to extend {@code prompt}, with {@code pending} fed first; the session is released.
     */
    public static Session finish(SessionRegistry r, Engine engine, String id, String owner, SessionSettings settings,
                                 int[] prompt, int[] pending) {
        Session s = r.acquireOrCreate(id, owner, settings);
        TurnPlan plan = r.plan(s, prompt);
        EngineSequence seq = plan.fresh() ? r.allocate(s, s.settings().cacheConfig(0)) : s.sequence();
        engine.prefill(seq, plan.newTokens());
        if (plan.fresh()) {
            r.install(s);
        }
        s.continueWith(new Continuation(Continuation.Seen.rendered(() -> prompt), pending));
        r.release(s);
        return s;
    }
}
