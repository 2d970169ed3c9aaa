package io.sinkserve.generate;

import java.util.List;

/**
 * Cuts generated text at the first stop string, which may span several tokens. Text that could still
 * turn out to be the start of a stop string is held back until it is decided, so a caller streaming
 * what {@link #push} returns never shows any part of a stop string.
 */
public final class StopStrings {
    private final List<String> stops;
    private final int longest;
    private final StringBuilder pending = new StringBuilder();
    private String matched;

    public StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds newly decoded text; returns the part that is safe to emit now (possibly empty). */
    public String push(String text) {
        if (matched != null) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        pending.append(text);
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
                matched = stop;
            }
        }
        if (cut >= 0) {
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int emit = pending.length() - heldBack();
        String out = pending.substring(0, emit);
        pending.delete(0, emit);
        return out;
    }

    /** The text still held back, for when generation ends without a stop string (EOS, length). */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that ended the text, or null. */
    public String matched() {
        return matched;
    }

    /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
    private int heldBack() {
        int len = pending.length();
        for (int k = Math.min(len, longest - 1); k > 0; k--) {
            for (String stop : stops) {
                if (k < stop.length() && endsWithPrefix(stop, k)) {
                    return k;
                }
            }
        }
        return 0;
    }

    private boolean endsWithPrefix(String stop, int k) {
        int start = pending.length() - k;
        for (int i = 0; i < k; i++) {
            if (pending.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
