// The sinkserve HTTP API as the chat page uses it.
import { jsonChunks } from './sse.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function failure(response) {
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) {
      message = body.error.message;
    }
  } catch {
    // not an OpenAI error envelope: keep the status line
  }
  return new ApiError(response.status, message);
}

async function getJson(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) {
    throw await failure(response);
  }
  return response.json();
}

export async function firstModel() {
  const body = await getJson('v1/models');
  return body.data && body.data.length > 0 ? body.data[0].id : null;
}

/** Creates a session with the given cache settings (null fields: server defaults); returns its id. */
export async function createSession(settings) {
  const body = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null));
  const session = await getJson('v1/sessions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return session.id;
}

/**
 * The session as the panel shows it: { sinks, window, size, tokensSeen, evictions, evictedTokens,
 * requests, ttftMs, tokensPerSecond } (the last two from the session's last finished request).
 */
export async function sessionStats(id) {
  const s = await getJson(`v1/sessions/${encodeURIComponent(id)}`);
  return {
    // a pinned system prompt widens the sink area beyond the configured sinks; the capacity tells
    sinks: s.cache.capacity > 0 ? s.cache.capacity - s.settings.window : s.settings.sinks,
    window: s.settings.window,
    size: s.cache.tokens,
    tokensSeen: s.cache.tokens_seen,
    evictions: s.cache.evictions,
    evictedTokens: s.cache.evicted_tokens,
    requests: s.requests,
    ttftMs: s.last_ttft_ms,
    tokensPerSecond: s.last_tokens_per_second,
  };
}

/**
 * Streams one chat completion. Calls onText for every text delta and resolves with
 * { finishReason, usage } once the stream ends; rejects with an AbortError when signal aborts.
 */
export async function streamChat({ sessionId, messages, sampling, signal, onText }) {
  const response = await fetch('v1/chat/completions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream', 'X-Session-ID': sessionId },
    body: JSON.stringify({
      messages,
      ...sampling,
      stream: true,
      stream_options: { include_usage: true },
    }),
    signal,
  });
  if (!response.ok) {
    throw await failure(response);
  }
  let finishReason = null;
  let usage = null;
  for await (const chunk of jsonChunks(response)) {
    if (chunk.error) {
      throw new ApiError(response.status, chunk.error.message);
    }
    const choice = chunk.choices && chunk.choices[0];
    if (choice) {
      if (choice.delta && choice.delta.content) {
        onText(choice.delta.content);
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
      }
    }
    if (chunk.usage) {
      usage = chunk.usage;
    }
  }
  return { finishReason, usage };
}
