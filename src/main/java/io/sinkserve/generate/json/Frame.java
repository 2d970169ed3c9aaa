package io.sinkserve.generate.json;

/** The parser state of one open value (or of the document itself, {@link RootFrame}). */
sealed interface Frame permits ParentFrame, StringFrame, NumberFrame, LiteralFrame {
    /** Reads one byte, or {@link ParseState#END}, with {@code self.top() == this}; adds each successor stack to {@code out}. */
    void step(Stack self, int b, StackSet out);
}
