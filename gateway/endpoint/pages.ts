/** The small HTML pages an endpoint answers with when it cannot proxy. */
export interface Page {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  /**
   * A page for the demo's visitors, who cannot act on build internals: set, the page says the
   * demo's owner finds the reason on the Portico dashboard, and links there.
   */
  readonly forVisitors?: boolean;
}

/**
 * The 503 page for a demo the wake gate could not admit: crashed, or failed to wake. The reason
 * (the container's last output) is for the owner, on the dashboard; visitors are told what they can do.
 */
export function notWokenPage(failure: { readonly reason: string; readonly crashed?: boolean | undefined }): Page {
  return failure.crashed
    ? { status: 503, title: 'This demo has stopped', message: 'It stopped unexpectedly and is not answering right now. Please try again later.', forVisitors: true }
    : { status: 503, title: 'This demo could not wake up', message: 'It was asleep to save resources and did not start this time. Please try again in a few minutes.', forVisitors: true };
}

/**
 * Where the dashboard shows this demo, worked out in the browser: the demo's address is
 * `{label}.{gateway host}` (or `{gateway host}/p/{label}/`), and the label is the project's id.
 */
const OWNER_LINK_SCRIPT = `(() => {
  const link = document.getElementById('owner-link');
  const path = location.pathname.split('/');
  const prefixed = path[1] === 'p' && path[2] ? path[2] : null;
  const label = prefixed || location.hostname.split('.')[0];
  const host = prefixed ? location.host : location.host.slice(location.host.indexOf('.') + 1);
  link.href = location.protocol + '//' + host + '/projects/' + encodeURIComponent(label);
})();`;

export function renderPage(page: Page): string {
  const owner = page.forVisitors
    ? `<p class="owner">Is this your demo? <a id="owner-link" href="/">See why on the Portico dashboard</a>.</p><script>${OWNER_LINK_SCRIPT}</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Portico</title>
<style>:root{color-scheme:light dark}body{font:17px/1.55 system-ui,sans-serif;max-width:34rem;margin:12vh auto;padding:0 1.2rem;color:#1d2433}h1{font-size:1.5rem;margin:.2rem 0 .6rem}.owner{margin-top:2rem;font-size:.9rem;color:#667085}small{color:#98a2b3}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}@media (prefers-color-scheme:dark){body{background:#0c111d;color:#e4e7ec}.owner{color:#98a2b3}code{background:#1d2433}}</style>
</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>${owner}<p><small>Served by Portico (${page.status})</small></p></body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Shown to a browser while a sleeping demo starts: reloads itself until the demo answers. */
export function renderWakingPage(label: string, retryAfterSeconds: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}">
<title>Waking up ${escapeHtml(label)} · Portico</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>Waking up ${escapeHtml(label)}…</h1><p>This demo was asleep to save resources. It is starting now; this page reloads by itself.</p></body></html>
`;
}

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The answer while a demo wakes: browsers get a page that reloads itself, API clients 503 + Retry-After. */
export function wakingReply(accept: string | null | undefined, label: string, retryAfterSeconds: number): Reply {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  if ((accept ?? '').includes('text/html')) return { status: 503, contentType: 'text/html; charset=utf-8', body: renderWakingPage(label, retryAfterSeconds), headers };
  const body = JSON.stringify({ error: { code: 'waking', message: `${label} is waking up; retry in ${retryAfterSeconds} s` } });
  return { status: 503, contentType: 'application/json', body, headers };
}
