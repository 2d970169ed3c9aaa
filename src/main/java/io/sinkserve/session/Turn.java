package io.sinkserve.session;

import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.model.Sequence;
import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.scheduler.Generation;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;

import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running turn's session side, between the scheduler and the wire listener. A turn that finishes commits
 * what it fed, leaves the follow-up for the next turn and records its numbers; one that is cancelled (client
 * gone, stalled, shutdown) or fails rolls its sequence back to the checkpoint taken at the start, so the session
 * is exactly as before it. Either way the session is released before the wire listener writes the last bytes
 * (so a client may send its next turn at once) and one log line is written.
 */
public final class Turn implements GenerationListener {
    private static final Logger LOG = Logger.getLogger("io.sinkserve.requests");

    private final String endpoint;
    private final SessionRegistry registry;
    private final Session session;
    private final boolean createdOnUse;
    private final TurnPlan plan;
    private final Sequence sequence;
    private final TurnPrompt prompt;
    private final long evictionsBefore;
    private final StringBuilder reply = new StringBuilder();
    private final AtomicBoolean ended = new AtomicBoolean();
    private GenerationListener wire;
    private Generation generation;

    Turn(String endpoint, SessionRegistry registry, Session session, boolean createdOnUse, TurnPlan plan,
         Sequence sequence, TurnPrompt prompt) {
        this.endpoint = endpoint;
        this.registry = registry;
        this.session = session;
        this.createdOnUse = createdOnUse;
        this.plan = plan;
        this.sequence = sequence;
        this.prompt = prompt;
        this.evictionsBefore = sequence.stats().evictions();
    }

    void bind(GenerationListener wire, Generation generation) {
        this.wire = wire;
        this.generation = generation;
    }

    public Session session() {
        return session;
    }

    public TurnPlan plan() {
        return plan;
    }

    /** The text generated so far (all of it once finished). */
    public String reply() {
        return reply.toString();
    }

    /** Ends the turn at the scheduler's next step (at once while queued); the session is left as before it. */
    public void cancel(CancelCause cause) {
        generation.cancel(cause);
    }

    /** The client cannot take more: generation waits (see the scheduler's stall timeout). */
    public void pause() {
        generation.pause();
    }

    public void resume() {
        generation.resume();
    }

    @Override
    public void onFirstToken() {
        wire.onFirstToken();
    }

    @Override
    public void onLogprob(TokenLogprob logprob) {
        wire.onLogprob(logprob);
    }

    @Override
    public void onText(String text) {
        reply.append(text);
        wire.onText(text);
    }

    @Override
    public void onFinish(GenerationResult r) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            if (r.finishReason() == FinishReason.CANCELLED) {
                undo();
            } else {
                commit(r);
            }
        } finally {
            release();
        }
        log(r);
        wire.onFinish(r);
    }

    @Override
    public void onError(RuntimeException error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            undo();
        } finally {
            release();
        }
        LOG.infof("%s session=%s failed: %s", endpoint, label(), error.getMessage());
        wire.onError(error);
    }

    private void commit(GenerationResult r) {
        sequence.commit();
        if (plan.fresh()) {
            registry.install(session);
        }
        session.record(r);
        String text = reply.toString();
        session.continueWith(prompt.followUp().after(r, text));
        prompt.onReply().accept(text);
        registry.indexImplicit(session, prompt.tokens());
    }

    private void undo() {
        sequence.rollback();
        if (plan.fresh()) {
            registry.discard(session);
        }
    }

    private void release() {
        if (createdOnUse) {
            registry.releaseUnused(session);
        } else {
            registry.release(session);
        }
    }

    private String label() {
        return session.ephemeral() ? "-" : session.id();
    }

    private void log(GenerationResult r) {
        long evictions = sequence.stats().evictions() - evictionsBefore;
        LOG.infof("%s session=%s prompt=%d cached=%d prefilled=%d generated=%d ttft=%.1fms tok/s=%.1f evictions=+%d finish=%s%s%s",
                endpoint, label(), plan.promptTokens(), plan.cachedTokens(), r.prefilledTokens(),
                r.generatedTokens(), r.timeToFirstTokenNanos() / 1e6, r.tokensPerSecond(), Math.max(0, evictions),
                r.finishReason().name().toLowerCase(Locale.ROOT),
                r.cancelCause() == null ? "" : " (" + r.cancelCause().name().toLowerCase(Locale.ROOT) + ")",
                plan.rebuilt() ? " rebuilt" : "");
    }
}
