// Server-Sent Events read from a fetch() response body. EventSource only does GET, and a chat
// completion is a POST, so the frames are parsed here.

/** Yields the data of each event (multi-line data joined by "\n"); comment-only events such as ": ping" are skipped. */
export async function* sseData(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      // Normalise after appending, so a CR LF split across two reads still collapses.
      buffer = (buffer + value).replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = dataOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          yield data;
        }
      }
    }
  } finally {
    // Closes the connection when the consumer stops early; a no-op once the body has ended.
    reader.cancel().catch(() => {});
  }
}

function dataOf(block) {
  const lines = block.split('\n')
    .filter(line => line.startsWith('data:'))
    .map(line => line.slice(line.startsWith('data: ') ? 6 : 5));
  return lines.length > 0 ? lines.join('\n') : null;
}

/** Yields the parsed JSON chunks of an OpenAI-style stream up to "data: [DONE]". */
export async function* jsonChunks(response) {
  for await (const data of sseData(response)) {
    if (data === '[DONE]') {
      return;
    }
    yield JSON.parse(data);
  }
}
