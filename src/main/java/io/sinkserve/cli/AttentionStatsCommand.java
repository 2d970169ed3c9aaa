package io.sinkserve.cli;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.eval.AttentionShare;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;
import io.sinkserve.model.ModelConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code attention-stats}: how much attention each layer and head puts on the first tokens (the "sinks"). */
@Command(name = "attention-stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Share of attention mass on the first k tokens, per layer and head, averaged over every query of a "
                + "dense pass over the first --tokens tokens of a text; 'uniform' is what equal attention would give.")
public final class AttentionStatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--text"}, required = true, description = "text file")
    Path text;

    @Option(names = "--tokens", defaultValue = "512", description = "tokens fed, BOS included (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--first", split = ",", defaultValue = "1,4", description = "k values (default: ${DEFAULT-VALUE})")
    int[] firsts;

    @Option(names = "--from", defaultValue = "64", description = "only queries at this position or later (default: ${DEFAULT-VALUE})")
    int from;

    @Override
    public Integer call() throws Exception {
        try (Model model = modelOptions.load()) {
            ModelConfig c = model.config();
            int[] all = model.tokenizer().encode(Files.readString(text), true, false);
            int n = Math.min(tokens, all.length);
            AttentionShare share = new AttentionShare(c.layers(), c.heads(), from, firsts);
            try (CachedSequence seq = model.newSequence(CacheConfig.dense(n))) {
                seq.setAttentionObserver(share);
                model.forwardAll(seq, Arrays.copyOf(all, n), (i, logits, offset) -> { });
            }
            out().printf("%s: %d tokens, %d layers x %d heads; mean share of attention on the first k tokens,"
                    + " queries at positions %d..%d (uniform attention in brackets)%n",
                    modelOptions.model.getFileName(), n, c.layers(), c.heads(), from, n - 1);
            StringBuilder header = new StringBuilder("| layer | head |");
            StringBuilder rule = new StringBuilder("|---:|---:|");
            for (int k : firsts) {
                header.append(" first ").append(k).append(" |");
                rule.append("---:|");
            }
            out().println(header);
            out().println(rule);
            for (int layer = 0; layer < c.layers(); layer++) {
                for (int head = 0; head < c.heads(); head++) {
                    StringBuilder row = new StringBuilder("| " + layer + " | " + head + " |");
                    for (int f = 0; f < firsts.length; f++) {
                        row.append(String.format(" %.3f (%.3f) |", share.share(layer, head, f), share.uniformShare(layer, head, f)));
                    }
                    out().println(row);
                }
            }
            out().println();
            out().println("| layer | mean over heads: " + String.join(" | ", Arrays.stream(firsts).mapToObj(k -> "first " + k).toList()) + " |");
            out().println("|---:|" + "---:|".repeat(firsts.length));
            for (int layer = 0; layer < c.layers(); layer++) {
                StringBuilder row = new StringBuilder("| " + layer + " |");
                for (int f = 0; f < firsts.length; f++) {
                    row.append(String.format(" %.3f (%.3f) |", share.layerShare(layer, f), share.uniformShare(layer, 0, f)));
                }
                out().println(row);
            }
        }
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
