package io.sinkserve.scheduler;

/** A generation failed with an error that is not a {@link RuntimeException} (e.g. out of memory in a forward pass). */
public final class GenerationFailedException extends RuntimeException {
    public GenerationFailedException(Throwable cause) {
        super(cause.toString(), cause);
    }
}
