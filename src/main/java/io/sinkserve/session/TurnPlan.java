package io.sinkserve.session;

/**
 * What a request must prefill on its session.
 *
 * @param newTokens    the part of the prompt the session has not seen
 * @param cachedTokens prompt tokens reused from the session
 * @param rebuilt      the session's history did not match, so it started over from the new prompt
 */
public record TurnPlan(int[] newTokens, int cachedTokens, boolean rebuilt) {
}
