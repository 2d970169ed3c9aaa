package io.sinkserve.generate.json;

/**
 * Inside a string, after its opening quote. Validates UTF-8 strictly (no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF), escapes including {@code \\u} with surrogate pairs (a high
 * surrogate must be followed by a low one, a lone low one is refused), and counts code points for
 * minLength/maxLength. A key of an additional property carries the trie of declared names in
 * {@code excluded}: while its bytes still spell the start of a declared name it takes no escapes, and
 * it may not close on a whole declared name (the document would hold that member twice).
 *
 * @param count code points so far (capped at minLength when there is no maxLength, so states repeat)
 * @param need continuation bytes still due in the current UTF-8 sequence; the next lies in [lo, hi]
 * @param escape NONE, BACKSLASH, HEX, LOW_BACKSLASH, LOW_U or LOW_HEX; {@code hexDigits}/{@code hex} accumulate a {@code \\u} escape
 * @param excludedNode node of {@code excluded} matching the bytes so far, -1 once they match no name
 */
record StringFrame(StringShape shape, ByteTrie excluded, int excludedNode, int count, int need, int lo, int hi,
                   int escape, int hexDigits, int hex) implements Frame {
    private static final StringShape ANY_KEY = new StringShape(0, StringShape.UNBOUNDED);
    private static final int NONE = 0;
    private static final int BACKSLASH = 1;
    private static final int HEX = 2;
    private static final int LOW_BACKSLASH = 3;  // a high surrogate escape was read: '\' must follow
    private static final int LOW_U = 4;
    private static final int LOW_HEX = 5;

    static StringFrame open(StringShape shape) {
        return new StringFrame(shape, null, -1, 0, 0, 0, 0, NONE, 0, 0);
    }

    /** An additional property's key, which must not be one of the declared names (null: none declared). */
    static StringFrame key(ByteTrie declaredNames) {
        return new StringFrame(ANY_KEY, declaredNames, declaredNames == null ? -1 : 0, 0, 0, 0, 0, NONE, 0, 0);
    }

    @Override
    public void step(Stack self, int b, StackSet out) {
        if (b == ParseState.END) {
            return;
        }
        if (need > 0) {
            if (b >= lo && b <= hi) {
                int low = need > 1 ? 0x80 : 0;  // with nothing due, the range is cleared so equal states compare equal
                int high = need > 1 ? 0xBF : 0;
                out.add(self.with(new StringFrame(shape, excluded, advance(b), count, need - 1, low, high, NONE, 0, 0)));
            }
            return;
        }
        switch (escape) {
            case BACKSLASH -> {
                if (b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't') {
                    out.add(self.with(withEscape(NONE, 0, 0)));
                } else if (b == 'u') {
                    out.add(self.with(withEscape(HEX, 0, 0)));
                }
            }
            case HEX, LOW_HEX -> hexDigit(self, b, out);
            case LOW_BACKSLASH -> {
                if (b == '\\') {
                    out.add(self.with(withEscape(LOW_U, 0, 0)));
                }
            }
            case LOW_U -> {
                if (b == 'u') {
                    out.add(self.with(withEscape(LOW_HEX, 0, 0)));
                }
            }
            default -> plain(self, b, out);
        }
    }

    private void plain(Stack self, int b, StackSet out) {
        if (b == '"') {
            if (count >= shape.minLength() && (excludedNode < 0 || !excluded.isTerminal(excludedNode))) {
                ParseState.finish(self, out);
            }
            return;
        }
        if (b < 0x20 || count >= shape.maxLength()) {
            return; // control characters must be escaped; a full string takes only its closing quote
        }
        int counted = countAfter(1);
        if (b == '\\') {
            if (excludedNode < 0) {
                out.add(self.with(new StringFrame(shape, excluded, -1, counted, 0, 0, 0, BACKSLASH, 0, 0)));
            }
            return;
        }
        int needed;
        int low = 0x80;
        int high = 0xBF;
        if (b < 0x80) {
            needed = 0;
            low = 0;
            high = 0;
        } else if (b >= 0xC2 && b <= 0xDF) {
            needed = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            needed = 2;
            if (b == 0xE0) {
                low = 0xA0;   // shorter forms are overlong
            } else if (b == 0xED) {
                high = 0x9F;  // ED A0..BF would encode a surrogate
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            needed = 3;
            if (b == 0xF0) {
                low = 0x90;
            } else if (b == 0xF4) {
                high = 0x8F;  // beyond U+10FFFF
            }
        } else {
            return;
        }
        out.add(self.with(new StringFrame(shape, excluded, advance(b), counted, needed, low, high, NONE, 0, 0)));
    }

    private void hexDigit(Stack self, int b, StackSet out) {
        int digit = Character.digit(b, 16);
        if (digit < 0) {
            return;
        }
        int value = hex * 16 + digit;
        int digits = hexDigits + 1;
        if (escape == LOW_HEX) {
            if ((digits == 1 && value != 0xD) || (digits == 2 && value < 0xDC)) {
                return; // the second half of a pair must be DC00..DFFF
            }
        } else if (digits == 2 && value >= 0xDC && value <= 0xDF) {
            return; // a low surrogate with no high one before it
        }
        int after = escape;
        if (digits == 4) {
            after = escape == HEX && value >= 0xD800 && value <= 0xDBFF ? LOW_BACKSLASH : NONE;
        }
        out.add(self.with(withEscape(after, digits == 4 ? 0 : digits, digits == 4 ? 0 : value)));
    }

    /** The count after {@code codePoints} more, capped at minLength when length is unbounded (beyond it nothing depends on it). */
    private int countAfter(int codePoints) {
        return shape.maxLength() == StringShape.UNBOUNDED ? Math.min(count + codePoints, shape.minLength()) : count + codePoints;
    }

    /** Whether this frame is at a character boundary outside any escape, where any content may follow. */
    boolean atCharacterBoundary() {
        return need == 0 && escape == NONE;
    }

    /** Whether content read from here is valid regardless of the state (no declared name is being spelled). */
    boolean isFreeContent() {
        return atCharacterBoundary() && excludedNode < 0;
    }

    /** How many more code points fit (StringShape.UNBOUNDED without maxLength). */
    int room() {
        return shape.maxLength() == StringShape.UNBOUNDED ? StringShape.UNBOUNDED : shape.maxLength() - count;
    }

    /** This frame after {@code codePoints} code points of content that end at a character boundary. */
    StringFrame afterContent(int codePoints) {
        return new StringFrame(shape, excluded, excludedNode, countAfter(codePoints), 0, 0, 0, NONE, 0, 0);
    }

    private StringFrame withEscape(int newEscape, int digits, int value) {
        return new StringFrame(shape, excluded, excludedNode, count, 0, 0, 0, newEscape, digits, value);
    }

    private int advance(int b) {
        return excludedNode < 0 ? -1 : excluded.child(excludedNode, b);
    }
}
