package io.sinkserve.tokenizer;

/** A chat template refused the conversation ({@code raise_exception}) or could not be rendered. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
