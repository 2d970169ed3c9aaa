package io.sinkserve.api;

import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Turn;
import io.sinkserve.session.TurnPlan;

/**
 * One request's wire format, listening to its {@link Turn}: the turn has already kept the session's books
 * and released it when these methods run, so they only write. Subclasses decide the format.
 */
abstract class Exchange implements GenerationListener {
    protected final Turn turn;
    protected final TurnPlan plan;

    Exchange(Turn turn) {
        this.turn = turn;
        this.plan = turn.plan();
    }

    /** Sends whatever must go out before the first token (e.g. SSE headers). */
    void begin() {
    }

    @Override
    public final void onText(String t) {
        deliver(t);
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

    abstract void deliver(String text);

    abstract void respond(GenerationResult r);

    abstract void failed(ApiException e);

    /** The client stopped reading: drop the connection rather than queue more for it. */
    abstract void abort();
}
