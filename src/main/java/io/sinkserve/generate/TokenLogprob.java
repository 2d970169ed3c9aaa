package io.sinkserve.generate;

import java.util.List;

/**
 * One sampled token with its log-probability and the most likely alternatives at its position, all from the
 * model's own log-softmax (before logit bias, penalties, temperature and any mask), as OpenAI reports them.
 *
 * @param top the {@code n} most likely tokens at this position, most likely first (may include the sampled one)
 */
public record TokenLogprob(int token, float logprob, List<Alternative> top) {
    public record Alternative(int token, float logprob) {
    }
}
