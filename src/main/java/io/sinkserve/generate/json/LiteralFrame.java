package io.sinkserve.generate.json;

/** Inside one of a {@link LiteralSet}'s values; {@code node} is the trie node of the bytes read so far. */
record LiteralFrame(LiteralSet set, int node) implements Frame {

    @Override
    public void step(Stack self, int b, StackSet out) {
        ByteTrie trie = set.trie();
        if (b != ParseState.END) {
            int child = trie.child(node, b);
            if (child >= 0) {
                out.add(self.with(new LiteralFrame(set, child)));
            }
        }
        if (trie.isTerminal(node)) {
            ParseState.finishThen(self, b, out); // a number literal ends at the byte after it
        }
    }
}
