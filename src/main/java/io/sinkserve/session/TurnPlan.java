package io.sinkserve.session;

/**
 * What a turn must prefill on its session, decided without changing the session.
 *
 * @param promptTokens the whole prompt's length
 * @param newTokens    what to prefill: the part of the prompt the session has not seen, after any tokens the
 *                     last turn left pending
 * @param cachedTokens prompt tokens reused from the session
 * @param fresh        the turn runs on a new sequence (first turn, or the prompt does not extend the session)
 * @param rebuilt      fresh although the session had history: the client's conversation no longer matched
 */
public record TurnPlan(int promptTokens, int[] newTokens, int cachedTokens, boolean fresh, boolean rebuilt) {
}
