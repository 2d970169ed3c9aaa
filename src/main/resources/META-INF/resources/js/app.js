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
  stats: Promise.resolve(),  // the chain of statistics reads
  statsPending: 0,
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
  const focus = document.activeElement;
  ui.send.disabled = streaming;
  ui.stop.disabled = !streaming;
  // A disabled button drops the keyboard focus; hand it to where the next action is.
  if (focus === ui.send && streaming) {
    ui.stop.focus();
  } else if (focus === ui.stop && !streaming) {
    ui.prompt.focus();
  }
}

function showCache(cache) {
  const show = (id, text) => { $(id).textContent = text; };
  if (!cache) {
    for (const id of ['stat-sinks', 'stat-window', 'stat-tokens', 'stat-evictions', 'stat-evicted-tokens',
      'stat-tps', 'stat-ttft']) {
      show(id, '–');
    }
  } else {
    const sinkUsed = Math.min(cache.size, cache.sinks);
    show('stat-sinks', `${sinkUsed} / ${cache.sinks}`);
    show('stat-window', `${cache.size - sinkUsed} / ${cache.window}`);
    show('stat-tokens', String(cache.tokensSeen));
    show('stat-evictions', String(cache.evictions));
    show('stat-evicted-tokens', String(cache.evictedTokens));
    show('stat-tps', cache.requests > 0 ? cache.tokensPerSecond.toFixed(1) : '–');
    show('stat-ttft', cache.requests > 0 ? `${Math.round(cache.ttftMs)} ms` : '–');
  }
  drawCache(ui.diagram, cache);
}

function showUsage(usage) {
  const cached = usage && usage.prompt_tokens_details ? usage.prompt_tokens_details.cached_tokens : 0;
  $('stat-usage').textContent = usage
    ? `${usage.prompt_tokens} in (${cached} cached), ${usage.completion_tokens} out` : '–';
}

async function loadStats() {
  const id = state.sessionId;
  try {
    const cache = await sessionStats(id);
    if (id === state.sessionId) {
      showCache(cache);
    }
  } catch (e) {
    setStatus(`Could not read cache statistics: ${e.message}`);
  }
}

/** Reads the session's statistics after any read already under way, so a late answer never overwrites a newer one. */
function refreshStats() {
  state.statsPending++;
  state.stats = state.stats.then(loadStats).finally(() => { state.statsPending--; });
  return state.stats;
}

function pollStats() {
  if (state.statsPending === 0) {
    refreshStats();
  }
}

async function showModel() {
  try {
    ui.modelName.textContent = (await firstModel()) ?? 'none loaded';
  } catch (e) {
    ui.modelName.textContent = `unavailable (${e.message})`;
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
    showUsage(null);
    setStatus('New session started.');
    await Promise.all([refreshStats(), showModel()]);
  } catch (e) {
    setStatus(`Could not start a session: ${e.message}`);
    await showModel();
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
  const conversation = state.messages;  // a new session replaces the array; a late finish must not leak into it
  conversation.push({ role: 'user', content: text });
  addMessage('user', text);
  const reply = addMessage('assistant', '');
  reply.classList.add('streaming');
  reply.setAttribute('aria-busy', 'true');
  const replyBody = reply.querySelector('.text');

  const controller = new AbortController();
  state.controller = controller;
  setStreaming(true);
  setStatus('Generating…');
  const poll = setInterval(pollStats, STATS_POLL_MS);
  let received = '';
  try {
    const { finishReason, usage } = await streamWhenFree({
      sessionId: state.sessionId,
      messages: conversation,
      sampling: samplingParams(),
      signal: controller.signal,
      onText: delta => {
        received += delta;
        // SentencePiece replies start with the word-boundary space; the history keeps it, the view does not
        replyBody.textContent = received.trimStart();
        scrollToEnd(false);
      },
    });
    showUsage(usage);
    setStatus(`Done (${finishReason ?? 'end of stream'}), ${usage ? usage.completion_tokens : '?'} tokens.`);
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
    // The reply as shown becomes the assistant's turn; after a complete reply the next turn matches the
    // session's token history, so the server prefills only the new message.
    if (received !== '') {
      conversation.push({ role: 'assistant', content: received });
    }
    reply.classList.remove('streaming');
    reply.removeAttribute('aria-busy');
    await refreshStats();
    state.controller = null;
    setStreaming(false);
  }
}

ui.form.addEventListener('submit', async event => {
  event.preventDefault();
  const text = ui.prompt.value.trim();
  if (text === '' || state.controller) {
    return;
  }
  if (!state.sessionId) {
    await startSession();  // the first try failed, e.g. while the model was still loading
    if (!state.sessionId) {
      return;
    }
  }
  ui.prompt.value = '';
  send(text);
});

ui.prompt.addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.form.requestSubmit();
  }
});

document.addEventListener('keydown', event => {
  if (event.key === 'Escape') {
    stopStream();
  }
});

ui.stop.addEventListener('click', stopStream);
ui.newSession.addEventListener('click', startSession);
ui.applyCache.addEventListener('click', startSession);

startSession();
