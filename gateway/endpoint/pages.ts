/** The small HTML pages an endpoint answers with when it cannot proxy. */
export interface Page {
  readonly status: number;
  readonly title: string;
  readonly message: string;
}

/** The 503 page for a demo the wake gate could not admit: crashed, or failed to wake. */
export function notWokenPage(failure: { readonly reason: string; readonly crashed?: boolean | undefined }): Page {
  return { status: 503, title: failure.crashed ? 'Demo crashed' : 'Demo could not wake', message: failure.reason };
}

export function renderPage(page: Page): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Portico</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style>
</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p><p><small>Served by Portico (${page.status})</small></p></body></html>
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
