package io.sinkserve.bench;

import java.util.List;

/**
 * What {@code bench} measured, serialised as is for {@code --json}. {@code tests}: one entry per llama-bench
 * style test (pp = prompt processing, tg = text generation) with the tokens/s of every repetition.
 * {@code decodeWeightBandwidth}: bytes of weights per decode token times the median tg rate, bytes/s.
 */
public record BenchReport(String model, String architecture, String fileType, long weightBytes, long parameters,
                          int threads, String kvStorage, String runtime, List<Test> tests,
                          long weightBytesPerDecodeToken, Double decodeWeightBandwidth, long rssBytes) {

    public record Test(String name, int tokens, double[] tokensPerSecond, Summary summary) {
    }
}
