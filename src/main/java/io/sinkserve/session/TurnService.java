package io.sinkserve.session;

import io.sinkserve.generate.SamplingParams;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.model.Sequence;
import io.sinkserve.scheduler.Generation;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.Scheduler;

import java.util.function.Function;

/**
 * One chat or completion turn from start to end: acquire the session, render the prompt, plan what to
 * prefill, check the limits, hand the generation to the scheduler; then the {@link Turn} finishes or undoes
 * it and releases the session. Whatever refuses a turn before the scheduler takes it (an unknown or busy
 * session, a prompt too long, no memory, a full queue, a shutdown) leaves the session exactly as it was.
 * The wire formats (OpenAI JSON and SSE, the native SSE) only listen.
 */
public final class TurnService {
    private final SessionRegistry registry;
    private final Scheduler scheduler;
    private final int maxPromptTokens;

    public TurnService(SessionRegistry registry, Scheduler scheduler, int maxPromptTokens) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.maxPromptTokens = maxPromptTokens;
    }

    public SessionRegistry registry() {
        return registry;
    }

    /**
     * Starts a turn. {@code render} builds the prompt once the session is held; {@code wire} makes the listener
     * that writes the response, given the turn (its plan and session). Throws, changing nothing, when refused.
     */
    public Turn start(String endpoint, SessionTarget target, Function<Session, TurnPrompt> render,
                      SamplingParams sampling, TokenControls controls, Function<Turn, GenerationListener> wire) {
        Session session = acquire(target);
        boolean createdOnUse = (target.id() != null || target.implicitPrompt() != null) && target.createIfNew() != null;
        try {
            TurnPrompt prompt = render.apply(session);
            TurnPlan plan = registry.plan(session, prompt.tokens(), prompt.extendsStream());
            if (plan.newTokens().length > maxPromptTokens) {
                throw new PromptTooLongException(plan.newTokens().length, maxPromptTokens, prompt.param());
            }
            Sequence sequence = plan.fresh()
                    ? registry.allocate(session, session.settings().cacheConfig(prompt.systemTokens()))
                    : session.sequence();
            sequence.checkpoint();
            Turn turn = new Turn(endpoint, registry, session, createdOnUse, plan, sequence, prompt);
            Generation generation = new Generation(sequence, plan.newTokens(), sampling, controls, turn);
            turn.bind(wire.apply(turn), generation);
            try {
                scheduler.submit(generation);
            } catch (RuntimeException e) {
                sequence.rollback();
                throw e;
            }
            return turn;
        } catch (RuntimeException | Error e) {
            registry.discard(session);
            if (createdOnUse) {
                registry.releaseUnused(session);
            } else {
                registry.release(session);
            }
            throw e;
        }
    }

    private Session acquire(SessionTarget t) {
        if (t.implicitPrompt() != null) {
            return registry.acquireImplicit(t.owner(), t.implicitPrompt(), t.createIfNew());
        }
        if (t.id() == null) {
            return registry.acquireEphemeral(t.owner(), t.createIfNew());
        }
        return t.createIfNew() != null ? registry.acquireOrCreate(t.id(), t.owner(), t.createIfNew())
                : registry.acquire(t.id(), t.owner());
    }
}
