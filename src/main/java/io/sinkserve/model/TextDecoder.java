package io.sinkserve.model;

/** Turns token ids into text incrementally, never splitting a UTF-8 character. */
public interface TextDecoder {
    /** Returns the text completed by this token (possibly empty). */
    String push(int token);

    /** Whatever is still buffered at the end of the stream. */
    String flush();
}
