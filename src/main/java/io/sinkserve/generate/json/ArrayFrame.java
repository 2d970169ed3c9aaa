package io.sinkserve.generate.json;

/** Inside an array; {@code count} items written so far (capped at minItems when there is no maxItems, so states repeat). */
record ArrayFrame(ArrayShape shape, int phase, int count, int whitespace) implements ParentFrame {
    private static final int OPEN = 0;
    private static final int ITEM = 1;        // an item is open on top
    private static final int AFTER_ITEM = 2;
    private static final int AFTER_COMMA = 3;

    static ArrayFrame open(ArrayShape shape) {
        return new ArrayFrame(shape, OPEN, 0, 0);
    }

    @Override
    public void step(Stack self, int b, StackSet out) {
        if (ParseState.isWhitespace(b)) {
            if (whitespace < ParseState.MAX_WHITESPACE && phase != ITEM) {
                out.add(self.with(new ArrayFrame(shape, phase, count, whitespace + 1)));
            }
            return;
        }
        switch (phase) {
            case OPEN -> {
                if (b == ']' && shape.minItems() == 0) {
                    ParseState.finish(self, out);
                } else if (shape.maxItems() > 0) {
                    ParseState.startValue(shape.items(), self.with(new ArrayFrame(shape, ITEM, count, 0)), b, out);
                }
            }
            case AFTER_COMMA -> ParseState.startValue(shape.items(), self.with(new ArrayFrame(shape, ITEM, count, 0)), b, out);
            case AFTER_ITEM -> {
                if (b == ',' && count < shape.maxItems() && ParseState.fits(shape.items(), self)) {
                    out.add(self.with(new ArrayFrame(shape, AFTER_COMMA, count, 0)));
                } else if (b == ']' && count >= shape.minItems()) {
                    ParseState.finish(self, out);
                }
            }
            default -> { }
        }
    }

    @Override
    public Frame afterChild() {
        int written = shape.maxItems() == ArrayShape.UNBOUNDED ? Math.min(count + 1, shape.minItems()) : count + 1;
        return new ArrayFrame(shape, AFTER_ITEM, written, 0);
    }
}
