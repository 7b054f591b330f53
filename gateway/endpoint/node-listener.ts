import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseHost } from '../domain/host.ts';
import { messageOf } from '../errors.ts';
import type { ProjectStore } from '../ports/project-store.ts';
import type { createNodeProxy } from './node-proxy.ts';
import { type Page, renderPage } from './pages.ts';
import { resolveEndpoint } from './resolve-endpoint.ts';

export interface NodeListenerDeps {
  readonly domain: string;
  readonly store: ProjectStore;
  readonly proxy: ReturnType<typeof createNodeProxy>;
  /** Everything that is not an endpoint: the API and the gateway's own pages (the Hono app). */
  readonly gateway: RequestListener;
}

/** The Node server's request listener: `{label}.{domain}` is proxied, every other host goes to Hono. */
export function createNodeListener({ domain, store, proxy, gateway }: NodeListenerDeps): RequestListener {
  return (req, res) => {
    const target = parseHost(req.headers.host, domain);
    if (target.kind === 'gateway') {
      void gateway(req, res);
      return;
    }
    resolveEndpoint(store, target.label).then(
      (resolved) => {
        if (resolved.kind === 'page') return sendPage(req, res, resolved.page);
        proxy.forward(req, res, resolved.upstream, (failure) =>
          sendPage(req, res, { status: failure.status, title: failure.status === 504 ? 'Demo timed out' : 'Demo not answering', message: failure.message }),
        );
      },
      (error: unknown) => sendPage(req, res, { status: 500, title: 'Gateway error', message: `Portico could not route this request: ${messageOf(error)}` }),
    );
  };
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page): void {
  if (res.headersSent) return void res.destroy();
  const body = renderPage(page);
  req.resume(); // drain an unread request body so the connection can be reused
  res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
