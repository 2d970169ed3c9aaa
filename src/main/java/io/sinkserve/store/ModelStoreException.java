package io.sinkserve.store;

/** A model-store problem the user can act on; the message says what happened and what to do. */
public final class ModelStoreException extends RuntimeException {
    public ModelStoreException(String message) {
        super(message);
    }

    public ModelStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
