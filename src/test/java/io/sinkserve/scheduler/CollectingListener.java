package io.sinkserve.scheduler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Gathers a generation's text and result for assertions. */
class CollectingListener implements GenerationListener {
    final StringBuffer text = new StringBuffer();
    final CompletableFuture<GenerationResult> done = new CompletableFuture<>();
    /** onText calls so far. */
    volatile int pieces;

    @Override
    public void onText(String t) {
        text.append(t);
        pieces++;
    }

    @Override
    public void onFinish(GenerationResult result) {
        done.complete(result);
    }

    @Override
    public void onError(RuntimeException error) {
        done.completeExceptionally(error);
    }

    GenerationResult await() throws Exception {
        return done.get(30, TimeUnit.SECONDS);
    }
}
