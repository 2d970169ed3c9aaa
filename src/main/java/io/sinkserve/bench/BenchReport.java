package io.sinkserve.bench;

import java.util.List;

/**
 * What {@code bench} measured, serialised as is for {@code --json}. {@code tests}: one entry per llama-bench
 * style test (pp = prompt processing, tg = text generation) with the tokens/s of every repetition.
 * {@code depth}: tokens already in the cache when each test starts (llama-bench's {@code -d}).
 * {@code decodeWeightBandwidth}: bytes of weights per decode step times the median tg rate (divided by the
 * sequences decoded together), bytes/s. {@code readBandwidth}: the machine's measured read bandwidth with
 * the same threads ({@link ReadBandwidth}), null unless asked for; {@code bandwidthShare} is decode's share of it.
 */
public record BenchReport(String model, String architecture, String fileType, long weightBytes, long parameters,
                          int threads, String kvStorage, String runtime, int depth, List<Test> tests,
                          long weightBytesPerDecodeToken, Double decodeWeightBandwidth, Double readBandwidth,
                          Double bandwidthShare, long rssBytes) {

    public record Test(String name, int tokens, double[] tokensPerSecond, Summary summary) {
    }
}
