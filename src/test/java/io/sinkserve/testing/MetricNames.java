package io.sinkserve.testing;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus names sinkserve exports (DESIGN.md). The one list that the Grafana dashboard, the
 * HPA and the prometheus-adapter rule are checked against, and that the app's /q/metrics is tested to serve.
 */
public final class MetricNames {
    private MetricNames() {
    }

    public static final List<String> COUNTERS = List.of(
            "sinkserve_kvcache_evictions_total",
            "sinkserve_kvcache_evicted_tokens_total",
            "sinkserve_sessions_removed_total",
            "sinkserve_prompt_tokens_total",
            "sinkserve_generated_tokens_total",
            "sinkserve_requests_cancelled_total");

    public static final List<String> GAUGES = List.of(
            "sinkserve_kvcache_tokens",
            "sinkserve_kvcache_bytes",
            "sinkserve_kvcache_usage_ratio",
            "sinkserve_sessions_active",
            "sinkserve_requests_running",
            "sinkserve_requests_waiting",
            "sinkserve_decode_tokens_per_second");

    /** Exported as NAME_bucket, NAME_sum and NAME_count. */
    public static final List<String> HISTOGRAMS = List.of(
            "sinkserve_time_to_first_token_seconds",
            "sinkserve_inter_token_latency_seconds",
            "sinkserve_request_duration_seconds");

    private static final Pattern NAME = Pattern.compile("\\bsinkserve_[a-z0-9_]+");

    /** True for a series name the app exports, including a histogram's _bucket/_sum/_count series. */
    public static boolean isExported(String series) {
        if (COUNTERS.contains(series) || GAUGES.contains(series)) {
            return true;
        }
        for (String h : HISTOGRAMS) {
            if (series.equals(h + "_bucket") || series.equals(h + "_sum") || series.equals(h + "_count")) {
                return true;
            }
        }
        return false;
    }

    /** Every sinkserve_* name a PromQL expression (or any text) mentions. */
    public static Set<String> mentionedIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
