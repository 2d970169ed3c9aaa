package io.sinkserve.api;

import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.TurnPlan;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * One request's side of a generation: collects the text, keeps the session's books, frees the session before
 * the last bytes go out (so a client may send its next turn at once), and writes one log line. Subclasses
 * decide the wire format.
 */
abstract class Exchange implements GenerationListener {
    private static final Logger LOG = Logger.getLogger("io.sinkserve.requests");

    protected final Session session;
    protected final TurnPlan plan;
    protected final int promptTokens;
    protected final StringBuilder text = new StringBuilder();
    /** The logprobs of the tokens whose text has been delivered (when the request asked for them). */
    protected final List<TokenLogprob> logprobs = new ArrayList<>();
    private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
    private final SessionRegistry registry;
    private final String endpoint;
    private final long evictionsBefore;
    private final FollowUp followUp;

    Exchange(String endpoint, SessionRegistry registry, Session session, TurnPlan plan, FollowUp followUp) {
        this.endpoint = endpoint;
        this.followUp = followUp;
        this.registry = registry;
        this.session = session;
        this.plan = plan;
        this.promptTokens = plan.promptTokens();
        this.evictionsBefore = session.cacheStats().evictions();
    }

    /** Sends whatever must go out before the first token (e.g. SSE headers). */
    void begin() {
    }

    @Override
    public final void onLogprob(TokenLogprob logprob) {
        pendingLogprobs.add(logprob);
    }

    /** Delivers text with the logprobs of the tokens sampled since the last delivery; a stop string swallows the rest. */
    @Override
    public final void onText(String t) {
        int offset = text.codePointCount(0, text.length());
        text.append(t);
        List<TokenLogprob> tokens = List.copyOf(pendingLogprobs);
        pendingLogprobs.clear();
        logprobs.addAll(tokens);
        deliver(t, tokens, offset);
    }

    @Override
    public final void onFinish(GenerationResult r) {
        session.record(r);
        if (r.finishReason() != FinishReason.CANCELLED) {
            session.continueWith(followUp.after(r, text.toString()));
            completed(r);
        }
        long evictions = session.cacheStats().evictions() - evictionsBefore;
        registry.release(session);
        LOG.infof("%s session=%s prompt=%d cached=%d prefilled=%d generated=%d ttft=%.1fms tok/s=%.1f evictions=+%d finish=%s%s",
                endpoint, session.ephemeral() ? "-" : session.id(), promptTokens, plan.cachedTokens(), r.prefilledTokens(),
                r.generatedTokens(), r.timeToFirstTokenNanos() / 1e6, r.tokensPerSecond(), evictions,
                OpenAiFormat.finishReason(r.finishReason()),
                r.cancelCause() == null ? "" : " (" + r.cancelCause().name().toLowerCase() + ")",
                plan.rebuilt() ? " rebuilt" : "");
        if (r.cancelCause() == CancelCause.SHUTDOWN) {
            failed(ApiException.unavailable("shutting_down", "the server shut down before the generation finished"));
        } else if (r.cancelCause() == null) {
            respond(r);
        }
    }

    @Override
    public final void onError(RuntimeException error) {
        registry.release(session);
        ApiException e = ErrorMapper.toApi(error);
        LOG.infof("%s session=%s failed: %s", endpoint, session.ephemeral() ? "-" : session.id(), e.getMessage());
        failed(e);
    }

    /** Called before the session is released, for state that must be in place before the next turn. */
    void completed(GenerationResult r) {
    }

    /** @param offset code points of text delivered before this */
    abstract void deliver(String text, List<TokenLogprob> tokens, int offset);

    abstract void respond(GenerationResult r);

    abstract void failed(ApiException e);
}
