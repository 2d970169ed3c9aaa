package io.sinkserve.session;

/**
 * What a request must prefill on its session.
 *
 * @param promptTokens the whole prompt's length
 * @param newTokens    what to prefill: the part of the prompt the session has not seen, after any tokens the
 *                     last turn left pending
 * @param cachedTokens prompt tokens reused from the session
 * @param rebuilt      the session's history did not match, so it started over from the new prompt
 */
public record TurnPlan(int promptTokens, int[] newTokens, int cachedTokens, boolean rebuilt) {
}
