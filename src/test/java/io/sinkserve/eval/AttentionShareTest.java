package io.sinkserve.eval;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionShareTest {
    @Test
    void averagesTheMassOnTheFirstEntriesOverQueriesFromThePosition() {
        try (Model model = Model.load(TestFiles.stories260K(), 1)) {
            int[] tokens = model.tokenizer().encode("Once upon a time, there was a little girl named Lily. She loved to play.", true, false);
            AttentionShare all = new AttentionShare(model.config().layers(), model.config().heads(), 0, 1, tokens.length);
            AttentionShare late = new AttentionShare(model.config().layers(), model.config().heads(), 10, 1);
            try (CachedSequence seq = model.newSequence(CacheConfig.dense(tokens.length))) {
                seq.setAttentionObserver((layer, head, view, w) -> {
                    all.observe(layer, head, view, w);
                    late.observe(layer, head, view, w);
                });
                model.forwardAll(seq, tokens, (i, l, o) -> { });
            }
            for (int layer = 0; layer < model.config().layers(); layer++) {
                for (int head = 0; head < model.config().heads(); head++) {
                    assertEquals(tokens.length, all.queries(layer, head));
                    assertEquals(tokens.length - 10, late.queries(layer, head));
                    // k = the whole sequence: every query puts all its (softmax) mass there
                    assertEquals(1.0, all.share(layer, head, 1), 1e-5);
                    assertEquals(1.0, all.uniformShare(layer, head, 1), 1e-12);
                    double s = all.share(layer, head, 0);
                    assertTrue(s > 0 && s < 1, "share on BOS " + s);
                    // uniform share on one token, averaged over queries seeing 1..n tokens: mean of 1/n
                    double h = 0;
                    for (int n = 1; n <= tokens.length; n++) {
                        h += 1.0 / n;
                    }
                    assertEquals(h / tokens.length, all.uniformShare(layer, head, 0), 1e-12);
                }
            }
        }
    }
}
