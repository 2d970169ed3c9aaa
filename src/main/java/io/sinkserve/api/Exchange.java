package io.sinkserve.api;

import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Turn;
import io.sinkserve.session.TurnPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * One request's wire format, listening to its {@link Turn}: the turn has already kept the session's books
 * and released it when these methods run, so they only write. Subclasses decide the format.
 */
abstract class Exchange implements GenerationListener {
    protected final Turn turn;
    protected final TurnPlan plan;
    /** The logprobs of the tokens whose text has been delivered (when the request asked for them). */
    protected final List<TokenLogprob> logprobs = new ArrayList<>();
    private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
    private int deliveredCodePoints;

    Exchange(Turn turn) {
        this.turn = turn;
        this.plan = turn.plan();
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
        List<TokenLogprob> tokens = List.copyOf(pendingLogprobs);
        pendingLogprobs.clear();
        logprobs.addAll(tokens);
        int offset = deliveredCodePoints;
        deliveredCodePoints += t.codePointCount(0, t.length());
        deliver(t, tokens, offset);
    }

    @Override
    public final void onFinish(GenerationResult r) {
        if (r.cancelCause() == CancelCause.SHUTDOWN) {
            failed(ApiException.unavailable("shutting_down", "the server shut down before the generation finished"));
        } else if (r.cancelCause() == CancelCause.STALLED) {
            abort();
        } else if (r.cancelCause() == null) {
            respond(r);
        }
    }

    @Override
    public final void onError(RuntimeException error) {
        failed(ErrorMapper.toApi(error));
    }

    /** @param offset code points of text delivered before this */
    abstract void deliver(String text, List<TokenLogprob> tokens, int offset);

    abstract void respond(GenerationResult r);

    abstract void failed(ApiException e);

    /** The client stopped reading: drop the connection rather than queue more for it. */
    abstract void abort();
}
