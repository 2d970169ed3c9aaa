package io.sinkserve.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special-token texts out of the input before the tokenizer proper sees it. User-defined tokens
 * are always matched (they are ordinary added words); control and unknown tokens only when the caller
 * asks for special parsing, so user text such as "<|eot_id|>" cannot inject a control token. Literal
 * ranges (message contents inside rendered chat markup) never match a control token either.
 */
final class SpecialTokenSplitter {
    private static final int[] NO_RANGES = new int[0];

    private final Vocabulary vocab;

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        return split(text, parseSpecial, NO_RANGES);
    }

    /** {@code literalRanges} holds (start, end) pairs of input offsets where control tokens are not matched. */
    List<Fragment> split(String text, boolean parseSpecial, int[] literalRanges) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(text, 0));
        for (int id : vocab.specialTokens()) {
            boolean userDefined = vocab.type(id) == TokenType.USER_DEFINED;
            if (!parseSpecial && !userDefined) {
                continue;
            }
            String special = vocab.text(id);
            if (!special.isEmpty()) {
                fragments = cut(fragments, special, id, userDefined ? NO_RANGES : literalRanges);
            }
        }
        return fragments;
    }

    private static List<Fragment> cut(List<Fragment> in, String special, int id, int[] literal) {
        List<Fragment> out = null;
        for (int f = 0; f < in.size(); f++) {
            Fragment fragment = in.get(f);
            int at = fragment.isText() ? find(fragment, special, 0, literal) : -1;
            if (at < 0) {
                if (out != null) {
                    out.add(fragment);
                }
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(in.subList(0, f));
            }
            String text = fragment.text();
            int base = fragment.offset();
            int from = 0;
            while (at >= 0) {
                if (at > from) {
                    out.add(Fragment.text(text.substring(from, at), base + from));
                }
                out.add(Fragment.token(id, base + at));
                from = at + special.length();
                at = find(fragment, special, from, literal);
            }
            if (from < text.length()) {
                out.add(Fragment.text(text.substring(from), base + from));
            }
        }
        return out == null ? in : out;
    }

    /** The next occurrence of {@code special} at or after {@code from} that does not touch a literal range. */
    private static int find(Fragment fragment, String special, int from, int[] literal) {
        String text = fragment.text();
        int at = text.indexOf(special, from);
        while (at >= 0 && overlaps(fragment.offset() + at, fragment.offset() + at + special.length(), literal)) {
            at = text.indexOf(special, at + 1);
        }
        return at;
    }

    private static boolean overlaps(int start, int end, int[] ranges) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (start < ranges[i + 1] && ranges[i] < end) {
                return true;
            }
        }
        return false;
    }
}
