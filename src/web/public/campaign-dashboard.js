/* global document, window, EventSource, DOMParser */
// The campaign dashboard's live updates: the server sends `counts` events (Server-Sent Events) with the
// recipients per state whenever a number changes. The tiles are updated in place; the curve and the
// actions (the resend button appears with the first failure) are re-read from the page itself, at most
// every CURVE_MS: the curve is drawn per minute and costs the database more than the counts
// (bench/campaign-dashboard.mjs), while the counts change every second during a send.
// A file of its own because the Content-Security-Policy allows no inline scripts.
const root = document.querySelector('[data-dashboard-events]');
const live = document.querySelector('[data-dashboard-live]');
if (root && typeof EventSource === 'function') {
  const CURVE_MS = 15000;
  const source = new EventSource(root.getAttribute('data-dashboard-events'));
  let lastRefresh = 0;
  let pending = null;
  const refresh = async () => {
    pending = null;
    lastRefresh = Date.now();
    const response = await fetch(window.location.pathname, { credentials: 'same-origin' });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const id of ['campaign-curve', 'campaign-actions']) {
      const fresh = page.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    }
  };
  source.addEventListener('counts', (event) => {
    const counts = JSON.parse(event.data);
    let changed = false;
    for (const badge of document.querySelectorAll('[data-state-count]')) {
      const next = String(counts[badge.getAttribute('data-state-count')] ?? badge.textContent);
      if (badge.textContent !== next) {
        badge.textContent = next;
        changed = true;
      }
    }
    if (changed) {
      if (live) live.textContent = root.getAttribute('data-updated') ?? '';
      if (pending === null) pending = setTimeout(() => void refresh(), Math.max(0, lastRefresh + CURVE_MS - Date.now()));
    }
  });
  window.addEventListener('pagehide', () => source.close());
}
