package io.sinkserve.generate.json;

/** A frame that waits for a nested value (an object member, an array item, the document's value). */
sealed interface ParentFrame extends Frame permits RootFrame, ObjectFrame, ArrayFrame {
    /** This frame once the nested value it waits for is complete. */
    Frame afterChild();
}
