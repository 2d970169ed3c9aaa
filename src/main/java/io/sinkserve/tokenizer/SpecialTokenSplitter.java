package io.sinkserve.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special-token texts out of the input before the tokenizer proper sees it. User-defined tokens
 * are always matched (they are ordinary added words); control and unknown tokens only when the caller
 * asks for special parsing, so user text such as "<|eot_id|>" cannot inject a control token.
 */
final class SpecialTokenSplitter {
    private final Vocabulary vocab;

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(text));
        for (int id : vocab.specialTokens()) {
            if (!parseSpecial && vocab.type(id) != TokenType.USER_DEFINED) {
                continue;
            }
            String special = vocab.text(id);
            if (special.isEmpty()) {
                continue;
            }
            fragments = cut(fragments, special, id);
        }
        return fragments;
    }

    private static List<Fragment> cut(List<Fragment> in, String special, int id) {
        List<Fragment> out = null;
        for (int f = 0; f < in.size(); f++) {
            Fragment fragment = in.get(f);
            int at = fragment.isText() ? fragment.text().indexOf(special) : -1;
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
            int from = 0;
            while (at >= 0) {
                if (at > from) {
                    out.add(Fragment.text(text.substring(from, at)));
                }
                out.add(Fragment.token(id));
                from = at + special.length();
                at = text.indexOf(special, from);
            }
            if (from < text.length()) {
                out.add(Fragment.text(text.substring(from)));
            }
        }
        return out == null ? in : out;
    }
}
