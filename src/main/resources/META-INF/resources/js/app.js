// The chat page: one conversation bound to one server session, streamed replies, a live cache panel.
import { createSession, firstModel, sessionStats, streamChat } from './api.js';
import { drawCache } from './cache-diagram.js';

const STATS_POLL_MS = 250;
// Right after Stop the server may still be winding the cancelled generation down (409 session busy).
const BUSY_RETRIES = 10;
const BUSY_RETRY_MS = 200;

const $ = id => document.getElementById(id);
const ui = {
  log: $('log'), form: $('composer'), prompt: $('prompt'), send: $('send'), stop: $('stop'),
  status: $('status'), sessionId: $('session-id'), modelName: $('model-name'), diagram: $('cache-diagram'),
  newSession: $('new-session'), applyCache: $('apply-cache'),
};

const state = {
  sessionId: null,
  messages: [],      // the conversation sent with every turn; the server prefills only what it has not seen
  controller: null,  // AbortController of the running stream
  cache: null,
  statsInFlight: false,
};

function numberField(id) {
  const raw = $(id).value.trim();
  return raw === '' ? null : Number(raw);
}

function samplingParams() {
  const params = {
    temperature: numberField('temperature'),
    top_p: numberField('top_p'),
    top_k: numberField('top_k'),
    max_tokens: numberField('max_tokens'),
    seed: numberField('seed'),
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null));
}

function cacheSettings() {
  return { sinks: numberField('sinks'), window: numberField('window'), policy: $('policy').value || null };
}

function setStatus(text) {
  ui.status.textContent = text;
}

function addMessage(role, text) {
  const item = document.createElement('li');
  item.className = `msg ${role}`;
  const who = document.createElement('span');
  who.className = 'role';
  who.textContent = role === 'user' ? 'You' : role === 'assistant' ? 'Model' : 'Error';
  const body = document.createElement('div');
  body.className = 'text';
  body.textContent = text;
  item.append(who, body);
  ui.log.append(item);
  scrollToEnd(true);
  return item;
}

function scrollToEnd(force) {
  const nearEnd = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 48;
  if (force || nearEnd) {
    ui.log.scrollTop = ui.log.scrollHeight;
  }
}

function setStreaming(streaming) {
  ui.send.disabled = streaming;
  ui.stop.disabled = !streaming;
}

function showCache(cache) {
  state.cache = cache;
  const show = (id, text) => { $(id).textContent = text; };
  if (!cache) {
    for (const id of ['stat-sinks', 'stat-window', 'stat-tokens', 'stat-evictions', 'stat-evicted-tokens']) {
      show(id, '–');
    }
  } else {
    const sinkUsed = Math.min(cache.size, cache.sinks);
    show('stat-sinks', `${sinkUsed} / ${cache.sinks}`);
    show('stat-window', `${cache.size - sinkUsed} / ${cache.window}`);
    show('stat-tokens', String(cache.tokensSeen));
    show('stat-evictions', String(cache.evictions));
    show('stat-evicted-tokens', String(cache.evictedTokens));
  }
  drawCache(ui.diagram, cache);
}

function showTurnTimings({ ttftMs, tokensPerSecond, usage }) {
  $('stat-ttft').textContent = ttftMs === null ? '–' : `${Math.round(ttftMs)} ms`;
  $('stat-tps').textContent = tokensPerSecond === null ? '–' : tokensPerSecond.toFixed(1);
  $('stat-usage').textContent = usage ? `${usage.prompt_tokens} in, ${usage.completion_tokens} out` : '–';
}

async function refreshStats() {
  if (!state.sessionId || state.statsInFlight) {
    return;
  }
  state.statsInFlight = true;
  const id = state.sessionId;
  try {
    const cache = await sessionStats(id);
    if (id === state.sessionId) {
      showCache(cache);
    }
  } catch (e) {
    // 404 until the first turn creates the session's cache on the server; anything else is worth showing
    if (e.status !== 404) {
      setStatus(`Could not read cache statistics: ${e.message}`);
    }
  } finally {
    state.statsInFlight = false;
  }
}

async function startSession() {
  stopStream();
  ui.newSession.disabled = true;
  ui.applyCache.disabled = true;
  try {
    const id = await createSession(cacheSettings());
    state.sessionId = id;
    state.messages = [];
    ui.log.replaceChildren();
    ui.sessionId.textContent = id;
    showCache(null);
    showTurnTimings({ ttftMs: null, tokensPerSecond: null, usage: null });
    setStatus('New session started.');
    await refreshStats();
  } catch (e) {
    setStatus(`Could not start a session: ${e.message}`);
  } finally {
    ui.newSession.disabled = false;
    ui.applyCache.disabled = false;
    ui.prompt.focus();
  }
}

function stopStream() {
  if (state.controller) {
    state.controller.abort();
  }
}

async function streamWhenFree(request) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await streamChat(request);
    } catch (e) {
      if (e.status !== 409 || attempt === BUSY_RETRIES) {
        throw e;
      }
      await new Promise(resolve => setTimeout(resolve, BUSY_RETRY_MS));
    }
  }
}

async function send(text) {
  state.messages.push({ role: 'user', content: text });
  addMessage('user', text);
  const reply = addMessage('assistant', '');
  reply.classList.add('streaming');
  reply.setAttribute('aria-busy', 'true');
  const replyBody = reply.querySelector('.text');

  const controller = new AbortController();
  state.controller = controller;
  setStreaming(true);
  setStatus('Generating…');
  const poll = setInterval(refreshStats, STATS_POLL_MS);
  const started = performance.now();
  let firstTextAt = null;
  let received = '';
  try {
    const { finishReason, usage } = await streamWhenFree({
      sessionId: state.sessionId,
      messages: state.messages,
      sampling: samplingParams(),
      signal: controller.signal,
      onText: delta => {
        firstTextAt ??= performance.now();
        received += delta;
        replyBody.textContent = received;
        scrollToEnd(false);
      },
    });
    const ended = performance.now();
    const decoded = usage ? usage.completion_tokens : 0;
    showTurnTimings({
      ttftMs: firstTextAt === null ? null : firstTextAt - started,
      // decode rate: tokens after the first over the time after the first
      tokensPerSecond: firstTextAt !== null && decoded > 1 && ended > firstTextAt
        ? (decoded - 1) * 1000 / (ended - firstTextAt) : null,
      usage,
    });
    setStatus(`Done (${finishReason ?? 'end of stream'}), ${decoded} tokens.`);
  } catch (e) {
    if (e.name === 'AbortError') {
      reply.classList.add('stopped');
      setStatus('Stopped.');
    } else {
      addMessage('error', e.message);
      setStatus(`Error: ${e.message}`);
    }
  } finally {
    clearInterval(poll);
    state.controller = null;
    // Keep what was shown: the server's session already holds those tokens, so the next turn matches it.
    if (received !== '') {
      state.messages.push({ role: 'assistant', content: received });
    }
    reply.classList.remove('streaming');
    reply.removeAttribute('aria-busy');
    setStreaming(false);
    await refreshStats();
  }
}

ui.form.addEventListener('submit', event => {
  event.preventDefault();
  const text = ui.prompt.value.trim();
  if (text === '' || state.controller || !state.sessionId) {
    return;
  }
  ui.prompt.value = '';
  send(text);
});

ui.prompt.addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.form.requestSubmit();
  } else if (event.key === 'Escape') {
    stopStream();
  }
});

ui.stop.addEventListener('click', stopStream);
ui.newSession.addEventListener('click', startSession);
ui.applyCache.addEventListener('click', startSession);

firstModel()
  .then(name => { ui.modelName.textContent = name ?? 'none loaded'; })
  .catch(e => { ui.modelName.textContent = `unavailable (${e.message})`; });
startSession();
