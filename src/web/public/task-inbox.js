/* global document, window, EventSource */
// The inbox page's live counts: the server sends `inbox` events (Server-Sent Events) with the tab
// counts; we update the badges and, when there is new work, say so in the polite live region.
// A file of its own because the Content-Security-Policy allows no inline scripts.
const nav = document.querySelector('[data-inbox-events]');
const live = document.querySelector('[data-inbox-live]');
if (nav && live && typeof EventSource === 'function') {
  const source = new EventSource(nav.getAttribute('data-inbox-events'));
  source.addEventListener('inbox', (event) => {
    const counts = JSON.parse(event.data);
    let changed = false;
    for (const badge of document.querySelectorAll('[data-count]')) {
      const next = String(counts[badge.getAttribute('data-count')] ?? badge.textContent);
      if (badge.textContent !== next) {
        badge.textContent = next;
        changed = true;
      }
    }
    if (changed) live.hidden = false;
  });
  window.addEventListener('pagehide', () => source.close());
}
