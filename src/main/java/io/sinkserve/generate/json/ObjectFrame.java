package io.sinkserve.generate.json;

import java.util.List;

/**
 * Inside an object. {@code next} is the first declared property that may still be written, {@code prop}
 * the one being written (-1: an additional property), {@code pos} how many bytes of its key are matched.
 */
record ObjectFrame(ObjectShape shape, int phase, int next, int prop, int pos, int whitespace) implements ParentFrame {
    private static final int OPEN = 0;          // after '{'
    private static final int KEY = 1;           // matching a declared key
    private static final int EXTRA_KEY = 2;     // an additional property's key string is open on top
    private static final int COLON = 3;         // after a key
    private static final int BEFORE_VALUE = 4;  // after ':'
    private static final int VALUE = 5;         // the member's value is open on top
    private static final int AFTER_VALUE = 6;   // after a member
    private static final int AFTER_COMMA = 7;

    static ObjectFrame open(ObjectShape shape) {
        return new ObjectFrame(shape, OPEN, 0, -1, 0, 0);
    }

    private ObjectFrame to(int newPhase) {
        return new ObjectFrame(shape, newPhase, next, prop, pos, 0);
    }

    @Override
    public void step(Stack self, int b, StackSet out) {
        if (phase == KEY) {
            byte[] key = shape.properties().get(prop).key();
            if (b == (key[pos] & 0xFF)) {
                out.add(self.with(pos + 1 == key.length ? to(COLON)
                        : new ObjectFrame(shape, KEY, next, prop, pos + 1, 0)));
            }
            return;
        }
        if (ParseState.isWhitespace(b)) {
            if (whitespace < ParseState.MAX_WHITESPACE && phase != EXTRA_KEY && phase != VALUE) {
                out.add(self.with(new ObjectFrame(shape, phase, next, prop, pos, whitespace + 1)));
            }
            return;
        }
        switch (phase) {
            case OPEN -> {
                if (b == '}' && shape.requiredDone(0)) {
                    ParseState.finish(self, out);
                } else if (b == '"') {
                    startKeys(self, out);
                }
            }
            case AFTER_COMMA -> {
                if (b == '"') {
                    startKeys(self, out);
                }
            }
            case COLON -> {
                if (b == ':') {
                    out.add(self.with(to(BEFORE_VALUE)));
                }
            }
            case BEFORE_VALUE -> {
                Node value = prop >= 0 ? shape.properties().get(prop).value() : shape.additional();
                ParseState.startValue(value, self.with(to(VALUE)), b, out);
            }
            case AFTER_VALUE -> {
                if (b == ',' && canContinue(self)) {
                    out.add(self.with(to(AFTER_COMMA)));
                } else if (b == '}' && shape.requiredDone(next)) {
                    ParseState.finish(self, out);
                }
            }
            default -> { }
        }
    }

    /** After a key's opening quote: one alternative per property that may come next. */
    private void startKeys(Stack self, StackSet out) {
        List<Property> properties = shape.properties();
        for (int j = next; j <= shape.lastCandidate(next); j++) {
            if (ParseState.fits(properties.get(j).value(), self)) {
                out.add(self.with(new ObjectFrame(shape, KEY, next, j, 1, 0)));
            }
        }
        if (additionalAllowed(self)) {
            Stack waiting = self.with(new ObjectFrame(shape, EXTRA_KEY, properties.size(), -1, 0, 0));
            out.add(waiting.push(StringFrame.key(shape.declaredNames())));
        }
    }

    private boolean additionalAllowed(Stack self) {
        return shape.additional() != null && shape.requiredDone(next) && ParseState.fits(shape.additional(), self);
    }

    /** Whether a ',' here can be followed by some member. */
    private boolean canContinue(Stack self) {
        List<Property> properties = shape.properties();
        for (int j = next; j <= shape.lastCandidate(next); j++) {
            if (ParseState.fits(properties.get(j).value(), self)) {
                return true;
            }
        }
        return additionalAllowed(self);
    }

    @Override
    public Frame afterChild() {
        if (phase == EXTRA_KEY) {
            return to(COLON);
        }
        int after = prop >= 0 ? prop + 1 : shape.properties().size();
        return new ObjectFrame(shape, AFTER_VALUE, after, -1, 0, 0);
    }
}
