package io.sinkserve.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopStringsTest {
    /** Feeds the pieces and returns what a streaming client would have seen. */
    private static String stream(StopStrings s, String... pieces) {
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            out.append(s.push(p));
        }
        return out.toString();
    }

    @Test
    void noStopStringsPassesTextThrough() {
        StopStrings s = new StopStrings(List.of());
        assertEquals("abc", s.push("abc"));
        assertFalse(s.stopped());
    }

    @Test
    void cutsAStopStringSpanningTokensAndNeverEmitsIt() {
        StopStrings s = new StopStrings(List.of("\nUser:"));
        assertEquals("Hello", s.push("Hello"));
        assertEquals("", s.push("\nUs")); // might be the stop string: held back
        assertEquals("", s.push("er"));
        assertEquals("", s.push(": there"));
        assertTrue(s.stopped());
        assertEquals("", s.flush());
    }

    @Test
    void stopsAtTheStopStringAcrossTokenBoundaries() {
        StopStrings s = new StopStrings(List.of("\nUser:"));
        assertEquals("Hello", stream(s, "Hello", "\nUs", "er", ": hi", " more"));
        assertTrue(s.stopped());
        assertEquals("\nUser:", s.matched());
        assertEquals("", s.push("after"));
    }

    @Test
    void releasesHeldTextOnceItCannotBeAStopString() {
        StopStrings s = new StopStrings(List.of("END"));
        assertEquals("a", s.push("aE"));
        assertEquals("", s.push("N"));
        assertEquals("ENx", s.push("x"));
        assertFalse(s.stopped());
    }

    @Test
    void textBeforeTheStopInTheSameTokenIsEmitted() {
        StopStrings s = new StopStrings(List.of("."));
        assertEquals("one day", stream(s, "one", " day. Then"));
        assertTrue(s.stopped());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("cd", "b"));
        assertEquals("a", s.push("abcd"));
        assertEquals("b", s.matched());
    }

    @Test
    void flushReturnsTheHeldTailWhenGenerationEndsOtherwise() {
        StopStrings s = new StopStrings(List.of("###"));
        assertEquals("x", s.push("x##"));
        assertEquals("##", s.flush());
        assertNull(s.matched());
    }
}
