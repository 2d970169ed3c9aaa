package io.sinkserve.generate;

/**
 * What a request asks of each generated token beyond its sampling parameters: a logit bias, a mask on the
 * tokens allowed next (structured output), and whether to report logprobs. One per generation, since the
 * mask has state.
 *
 * @param mask        null for none
 * @param topLogprobs -1 for no logprobs, else how many alternatives to report per token (0..20)
 */
public record TokenControls(LogitBias bias, TokenMask mask, int topLogprobs) {
    public static final TokenControls NONE = new TokenControls(LogitBias.NONE, null, -1);

    public TokenControls {
        if (bias == null) {
            throw new IllegalArgumentException("bias must not be null (use LogitBias.NONE)");
        }
        if (topLogprobs < -1 || topLogprobs > Logprobs.MAX_TOP) {
            throw new IllegalArgumentException("top logprobs must be -1 (off) or 0.." + Logprobs.MAX_TOP + ", got " + topLogprobs);
        }
    }

    public boolean logprobs() {
        return topLogprobs >= 0;
    }
}
