import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';

/**
 * Closes an HTTP/2 session once it has had no open stream for `idleMs`, as the plain-HTTP
 * listener's keep-alive timeout does for HTTP/1.1 connections: Node keeps idle sessions open
 * forever, so clients that never hang up would hold a file descriptor each. A session with a
 * stream open (a long inference, an SSE stream) is never closed by this, however quiet it is.
 */
export function closeIdleSessions(server: Http2SecureServer, idleMs: number): void {
  server.on('session', (session: ServerHttp2Session) => {
    let open = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => session.close(), idleMs);
      timer.unref();
    };
    arm();
    session.on('stream', (stream) => {
      open += 1;
      clearTimeout(timer);
      stream.once('close', () => {
        open -= 1;
        if (open === 0 && !session.closed) arm();
      });
    });
    session.once('close', () => clearTimeout(timer));
  });
}
