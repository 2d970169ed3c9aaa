package io.sinkserve.generate.json;

/**
 * Inside a number (RFC 8259: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}). A bounded
 * number keeps its text so far to test each digit against the bounds; an unbounded one keeps none, so
 * its states repeat. A number has no closing byte: the byte after it ends it and goes to the parent.
 */
record NumberFrame(NumberShape shape, int phase, String text, int intDigits, int fracDigits, int expDigits)
        implements Frame {
    private static final int START = 0;
    private static final int SIGN = 1;
    private static final int ZERO = 2;
    private static final int INT = 3;
    private static final int POINT = 4;
    private static final int FRACTION = 5;
    private static final int EXP = 6;
    private static final int EXP_SIGN = 7;
    private static final int EXP_DIGITS = 8;

    static NumberFrame start(NumberShape shape) {
        return new NumberFrame(shape, START, shape.bounded() ? "" : null, 0, 0, 0);
    }

    @Override
    public void step(Stack self, int b, StackSet out) {
        boolean digit = b >= '0' && b <= '9';
        switch (phase) {
            case START, SIGN -> {
                if (b == '-' && phase == START) {
                    to(self, SIGN, b, intDigits, fracDigits, out);
                } else if (digit) {
                    to(self, b == '0' ? ZERO : INT, b, 1, 0, out);
                }
            }
            case ZERO, INT -> {
                if (digit && phase == INT && intDigits < shape.maxIntDigits()) {
                    to(self, INT, b, intDigits + 1, 0, out);
                } else if (b == '.' && !shape.integer()) {
                    to(self, POINT, b, intDigits, 0, out);
                } else if ((b == 'e' || b == 'E') && shape.allowsExponent()) {
                    out.add(self.with(new NumberFrame(shape, EXP, null, intDigits, fracDigits, 0)));
                } else {
                    end(self, b, out);
                }
            }
            case POINT -> {
                if (digit) {
                    to(self, FRACTION, b, intDigits, 1, out);
                }
            }
            case FRACTION -> {
                if (digit && fracDigits < shape.scale()) {
                    to(self, FRACTION, b, intDigits, fracDigits + 1, out);
                } else if ((b == 'e' || b == 'E') && shape.allowsExponent()) {
                    out.add(self.with(new NumberFrame(shape, EXP, null, intDigits, fracDigits, 0)));
                } else {
                    end(self, b, out);
                }
            }
            case EXP -> {
                if (b == '+' || b == '-') {
                    out.add(self.with(new NumberFrame(shape, EXP_SIGN, null, intDigits, fracDigits, 0)));
                } else if (digit) {
                    out.add(self.with(new NumberFrame(shape, EXP_DIGITS, null, intDigits, fracDigits, 1)));
                }
            }
            case EXP_SIGN -> {
                if (digit) {
                    out.add(self.with(new NumberFrame(shape, EXP_DIGITS, null, intDigits, fracDigits, 1)));
                }
            }
            case EXP_DIGITS -> {
                if (digit && expDigits < NumberShape.MAX_EXPONENT_DIGITS) {
                    out.add(self.with(new NumberFrame(shape, EXP_DIGITS, null, intDigits, fracDigits, expDigits + 1)));
                } else {
                    end(self, b, out);
                }
            }
            default -> { }
        }
    }

    /** Appends {@code b} if some completion of the longer text still meets the bounds. */
    private void to(Stack self, int newPhase, int b, int ints, int fracs, StackSet out) {
        String longer = text == null ? null : text + (char) b;
        if (longer == null || shape.viable(longer)) {
            out.add(self.with(new NumberFrame(shape, newPhase, longer, ints, fracs, expDigits)));
        }
    }

    /** Byte {@code b} is not part of the number: the number is complete if it meets the bounds. */
    private void end(Stack self, int b, StackSet out) {
        if (text == null || shape.contains(text)) {
            ParseState.finishThen(self, b, out);
        }
    }
}
