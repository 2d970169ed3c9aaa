package io.sinkserve.generate.json;

import java.util.Arrays;

/**
 * Where a byte-level JSON parser stands after a document prefix: the set of parse stacks still alive
 * (more than one while the alternatives of a union are undecided). Immutable. Every state this class
 * produces has a finite completion to a valid document: each transition checks that the value it
 * enters can still be finished (bounds, required members, {@link #MAX_FRAMES}), which is what keeps a
 * token mask from ever going empty.
 */
final class ParseState {
    /** The end of the document, fed after the last byte. */
    static final int END = 256;
    /** Longest run of whitespace between two tokens of the document (and after it): bounds idle output. */
    static final int MAX_WHITESPACE = 32;
    /** Most parser frames on a stack: one per open object/array plus the scalar on top (Jackson allows 1000). */
    static final int MAX_FRAMES = 64;

    private final Stack[] stacks;
    private final int hash;

    private ParseState(Stack[] stacks) {
        this.stacks = stacks;
        int h = 1;
        for (Stack s : stacks) {
            h = 31 * h + s.hash();
        }
        this.hash = h;
    }

    static ParseState initial(Node root) {
        return new ParseState(new Stack[] {Stack.root(RootFrame.start(root))});
    }

    /** The state after byte {@code b} (0..255), or null when no valid document continues with it. */
    ParseState next(int b) {
        StackSet out = new StackSet();
        for (Stack s : stacks) {
            s.top().step(s, b, out);
        }
        return out.isEmpty() ? null : new ParseState(out.toArray());
    }

    /** Whether the bytes read so far form a whole valid document. */
    boolean isComplete() {
        StackSet out = new StackSet();
        for (Stack s : stacks) {
            s.top().step(s, END, out);
        }
        return !out.isEmpty();
    }

    /**
     * The string frame when this state is a single stack inside a string at a character boundary whose
     * content is unconstrained but for its length (see {@link StringTokens}); null otherwise.
     */
    StringFrame freeString() {
        if (stacks.length == 1 && stacks[0].top() instanceof StringFrame f && f.isFreeContent()) {
            return f;
        }
        return null;
    }

    /** For a {@link #freeString()} state: the state after {@code codePoints} code points of content. */
    ParseState afterStringContent(int codePoints) {
        StringFrame f = (StringFrame) stacks[0].top();
        return new ParseState(new Stack[] {stacks[0].with(f.afterContent(codePoints))});
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParseState other && hash == other.hash && Arrays.equals(stacks, other.stacks);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    static boolean isWhitespace(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /**
     * Starts a value of {@code node} with its first byte {@code b}; {@code parent} is the stack whose top
     * frame waits for that value. Alternatives that cannot start with {@code b}, or could not be
     * completed within {@link #MAX_FRAMES}, add nothing.
     */
    static void startValue(Node node, Stack parent, int b, StackSet out) {
        switch (node) {
            case Ref ref -> startValue(ref.target(), parent, b, out);
            case Union union -> {
                for (Node alternative : union.alternatives()) {
                    startValue(alternative, parent, b, out);
                }
            }
            default -> {
                if (!fits(node, parent)) {
                    return;
                }
                switch (node) {
                    case ObjectShape o when b == '{' -> out.add(parent.push(ObjectFrame.open(o)));
                    case ArrayShape a when b == '[' -> out.add(parent.push(ArrayFrame.open(a)));
                    case StringShape s when b == '"' -> out.add(parent.push(StringFrame.open(s)));
                    case NumberShape n when b == '-' || (b >= '0' && b <= '9') -> {
                        Stack s = parent.push(NumberFrame.start(n));
                        s.top().step(s, b, out);
                    }
                    case LiteralSet l -> {
                        Stack s = parent.push(new LiteralFrame(l, 0));
                        s.top().step(s, b, out);
                    }
                    default -> { }
                }
            }
        }
    }

    /** Whether a value of {@code node} pushed onto {@code parent} can be completed within {@link #MAX_FRAMES}. */
    static boolean fits(Node node, Stack parent) {
        return parent.depth() + node.minFrames() <= MAX_FRAMES;
    }

    /** Pops the completed value on top of {@code child} and hands its parent the news. */
    static void finish(Stack child, StackSet out) {
        out.add(parentAfter(child));
    }

    /** Pops the value on top of {@code child}, which byte {@code b} ended without being part of it, and feeds {@code b} to the parent. */
    static void finishThen(Stack child, int b, StackSet out) {
        Stack parent = parentAfter(child);
        parent.top().step(parent, b, out);
    }

    private static Stack parentAfter(Stack child) {
        Stack parent = child.below();
        return parent.with(((ParentFrame) parent.top()).afterChild());
    }
}
