// Draws a session's StreamingLLM cache: the text seen so far (sinks, evicted middle, window) and the
// cache slots (sink slots, then the rolling window). Window slots are shaded in bands of 8 text
// positions, so the bands visibly slide left as old tokens are evicted.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const MAX_CELLS = 64;
const BAND = 8;

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) {
    node.setAttribute(k, String(v));
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Widths for the text bar: proportional, but every non-empty part stays visible. */
function barWidths(parts) {
  const min = 6;
  const total = parts.reduce((a, b) => a + b, 0);
  if (total === 0) {
    return parts.map(() => 0);
  }
  const shown = parts.filter(p => p > 0).length;
  const free = WIDTH - min * shown;
  return parts.map(p => (p > 0 ? min + free * p / total : 0));
}

/**
 * @param svg   the <svg> element (viewBox 0 0 320 96); its <title> is kept and updated
 * @param cache { sinks, window, size, tokensSeen, evictedTokens } or null before the first stats
 */
export function drawCache(svg, cache) {
  const title = svg.querySelector('title');
  svg.replaceChildren(title);
  if (!cache) {
    title.textContent = 'Cache slots: no statistics yet';
    return;
  }
  const sinkUsed = Math.min(cache.size, cache.sinks);
  const windowUsed = cache.size - sinkUsed;
  const firstWindowPos = cache.tokensSeen - windowUsed;
  title.textContent = `Cache: ${sinkUsed} of ${cache.sinks} sink slots and ${windowUsed} of ${cache.window} window slots used; `
    + `${cache.tokensSeen} tokens seen, ${cache.evictedTokens} evicted.`;

  // Row 1: the whole text so far.
  svg.append(el('text', { x: 0, y: 9, class: 'label' }, `text so far: ${cache.tokensSeen} tokens`));
  const [wSink, wEvicted, wWindow] = barWidths([sinkUsed, cache.evictedTokens, windowUsed]);
  svg.append(el('rect', { x: 0, y: 13, width: wSink, height: 10, class: 'sink' }));
  svg.append(el('rect', { x: wSink, y: 13, width: wEvicted, height: 10, class: 'evicted' }));
  svg.append(el('rect', { x: wSink + wEvicted, y: 13, width: wWindow, height: 10, class: 'win-a' }));

  // Row 2: the cache slots. Large windows are drawn with one cell per group of slots.
  const perCell = Math.max(1, Math.ceil(cache.window / MAX_CELLS));
  const windowCells = Math.ceil(cache.window / perCell);
  const cells = cache.sinks + windowCells;
  const gap = cells > 48 ? 0.5 : 1;
  const cellWidth = (WIDTH - gap * (cells - 1)) / cells;
  svg.append(el('text', { x: 0, y: 39, class: 'label' }, 'cache slots'));
  for (let i = 0; i < cells; i++) {
    let cls;
    if (i < cache.sinks) {
      cls = i < sinkUsed ? 'sink' : 'empty';
    } else {
      const slot = (i - cache.sinks) * perCell;
      cls = slot < windowUsed
        ? (Math.floor((firstWindowPos + slot) / BAND) % 2 === 0 ? 'win-a' : 'win-b')
        : 'empty';
    }
    svg.append(el('rect', { x: i * (cellWidth + gap), y: 43, width: cellWidth, height: 18, class: cls }));
  }
  const windowX = cache.sinks * (cellWidth + gap);
  svg.append(el('text', { x: 0, y: 74, class: 'label' }, `sinks ${sinkUsed}/${cache.sinks}`));
  svg.append(el('text', { x: Math.max(windowX, 70), y: 74, class: 'label' },
    windowUsed > 0
      ? `window ${windowUsed}/${cache.window}: text tokens ${firstWindowPos}–${cache.tokensSeen - 1}`
      : `window 0/${cache.window}`));
  svg.append(el('text', { x: 0, y: 90, class: 'label evicted-label' }, `evicted so far: ${cache.evictedTokens} tokens`));
}
