package io.sinkserve.generate.json;

/** The document: optional whitespace, one value of the root node, optional whitespace, the end. */
record RootFrame(Node node, int phase, int whitespace) implements ParentFrame {
    private static final int BEFORE = 0;
    private static final int VALUE = 1;
    private static final int AFTER = 2;

    static RootFrame start(Node node) {
        return new RootFrame(node, BEFORE, 0);
    }

    @Override
    public void step(Stack self, int b, StackSet out) {
        if (ParseState.isWhitespace(b)) {
            if (phase != VALUE && whitespace < ParseState.MAX_WHITESPACE) {
                out.add(self.with(new RootFrame(node, phase, whitespace + 1)));
            }
        } else if (phase == BEFORE && b != ParseState.END) {
            ParseState.startValue(node, self.with(new RootFrame(node, VALUE, 0)), b, out);
        } else if (phase == AFTER && b == ParseState.END) {
            out.add(self);
        }
    }

    @Override
    public Frame afterChild() {
        return new RootFrame(node, AFTER, 0);
    }
}
