import type { RequestListener } from 'node:http';
import { type Http2SecureServer, createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createAcmeIssuer } from '../adapters/local/acme-issuer.ts';
import { createFileCertStore } from '../adapters/local/file-cert-store.ts';
import type { Config } from '../config.ts';
import { endpointUrl } from '../domain/host.ts';
import { messageOf } from '../errors.ts';
import type { CertificateSink } from '../ports/certificates.ts';
import type { Clock } from '../ports/clock.ts';
import { type CertificateManager, type CertificateSource, type CertificateState, createCertificateManager } from './certificate-manager.ts';
import { loadCertificateFiles } from './certificate-files.ts';
import { servingHttp2 } from './http2-requests.ts';
import { closeIdleSessions } from './idle-sessions.ts';
import { createPlainHttpListener } from './plain-http-listener.ts';
import type { ProjectListener } from './project-certificates.ts';
import type { TlsMode } from './tls-settings.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** HTTPS for the Node listener (or certificates for a proxy engine in front): certificates, the HTTP/2 server, the plain-HTTP side. */
export interface GatewayTls {
  /** Wraps the endpoint listener for the plain-HTTP port: ACME challenges, 308 to HTTPS, the rest as is. */
  plainListener(listener: RequestListener, httpsPort: () => number): RequestListener;
  /** Wraps Portico's listener behind a proxy engine that redirects itself: it only answers ACME challenges. */
  challengeListener(listener: RequestListener): RequestListener;
  /** Starts HTTPS with HTTP/2 (and HTTP/1.1 for clients without it) on `port`. */
  listen(listener: RequestListener, upgrade: (req: any, socket: Duplex, head: Buffer) => void, port: number, host: string): Promise<Http2SecureServer>;
  /** Obtains certificates for the gateway's host and these projects' hosts, in the background. */
  start(projectIds: readonly string[]): void;
  /** Obtains a certificate for a new project's host (in the background); drops a removed one's. */
  readonly projects: ProjectListener;
  /** The project's URL: https when its host has a certificate, else plain http on `httpPort`. */
  endpointUrl(projectId: string, httpPort: number): string;
  /** One line for the dashboard on a project's certificate: valid until when, or why there is none. */
  certificateText(projectId: string): string;
  /** A host's certificate state (ACME only). */
  state(host: string): CertificateState | undefined;
  /** Runs the renewal check now (the timer runs it every PORTICO_TLS_RENEW_CHECK_INTERVAL_MS). */
  renewDue(): Promise<{ readonly renewed: readonly string[]; readonly failed: readonly string[] }>;
  readonly httpsPort: () => number;
  close(): Promise<void>;
}

export interface GatewayTlsOptions {
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** How long an idle connection (HTTP/2 session with no open stream, or HTTP/1.1 keep-alive) stays open. */
  readonly keepAliveTimeoutMs: number;
  /** HTTPS served by a proxy engine in front (HAProxy) on `httpsPort`, with the certificates obtained here given to `certificates`. */
  readonly engine?: { readonly httpsPort: number; readonly certificates: CertificateSink };
}

export async function createGatewayTls(config: Config, mode: Exclude<TlsMode, { kind: 'off' }>, options: GatewayTlsOptions): Promise<GatewayTls> {
  const { clock, log } = options;
  const hostOf = (projectId: string) => `${projectId}.${config.domain}`;
  let secure: Http2SecureServer | undefined;
  const open = new Set<TLSSocket>();
  let manager: CertificateManager | undefined;
  let challengeAnswer: (token: string) => string | undefined = () => undefined;
  let source: CertificateSource & { covers?: (host: string) => boolean };

  if (mode.kind === 'files') {
    source = await loadCertificateFiles(mode.certFile, mode.keyFile, config.domain, clock.now(), log);
  } else {
    const dir = join(config.dataDir, 'tls');
    const issuer = createAcmeIssuer({ directoryUrl: config.acmeDirectoryUrl, email: config.acmeEmail, caFile: config.acmeCaFile, accountKeyFile: join(dir, 'acme-account.key') });
    challengeAnswer = issuer.challengeAnswer;
    manager = createCertificateManager({ issuer, store: createFileCertStore(join(dir, 'certs')), clock }, { renewBeforeMs: config.tlsRenewBeforeDays * DAY_MS, retryAfterMs: config.tlsRenewCheckIntervalMs, log, ...(options.engine ? { sink: options.engine.certificates } : {}) });
    await manager.loadStored();
    source = manager;
  }
  const secured = (host: string) => source.contextFor(host) !== undefined;
  const ensure = (host: string) => void manager?.ensure(host).catch((error: unknown) => log(`certificate for ${host}: ${messageOf(error)}`));
  const renewDue = async () => (manager ? manager.renewDue() : { renewed: [], failed: [] });
  const timer = setInterval(() => void renewDue().catch((error: unknown) => log(`certificate renewal: ${messageOf(error)}`)), config.tlsRenewCheckIntervalMs);
  timer.unref();
  const httpsPort = () => options.engine?.httpsPort ?? (secure?.address() as AddressInfo | null)?.port ?? config.port;

  return {
    httpsPort,
    plainListener: (listener) => createPlainHttpListener({ challengeAnswer: (token) => challengeAnswer(token), secured, httpsPort, fallback: listener }),
    challengeListener: (listener) => createPlainHttpListener({ challengeAnswer: (token) => challengeAnswer(token), secured: () => false, httpsPort, fallback: listener }),
    async listen(listener, upgrade, port, host) {
      const server = createSecureServer({
        allowHTTP1: true,
        SNICallback: (servername, callback) => callback(null, source.contextFor(servername) ?? source.contextFor(config.domain)),
      });
      server.on('request', servingHttp2(listener));
      closeIdleSessions(server, options.keepAliveTimeoutMs);
      // HTTP/1.1 clients are served by Node's http code, which reads these from the server.
      Object.assign(server, { keepAliveTimeout: options.keepAliveTimeoutMs });
      // HTTP/1.1 clients (WebSockets among them) are served by the same server.
      server.on('upgrade' as 'request', upgrade as never);
      server.on('tlsClientError', () => undefined); // scanners and clients that reject the certificate: nothing to do
      server.on('secureConnection', (socket: TLSSocket) => {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
      });
      secure = server;
      return server;
    },
    start(projectIds) {
      if (!manager) return;
      const wanted = new Set([config.domain, ...projectIds.map(hostOf)]);
      for (const host of manager.hosts()) if (!wanted.has(host)) void manager.forget(host); // projects removed while it was down
      for (const host of wanted) ensure(host);
    },
    projects: {
      created: (projectId) => ensure(hostOf(projectId)),
      removed: (projectId) => void manager?.forget(hostOf(projectId)).catch((error: unknown) => log(`certificate for ${hostOf(projectId)}: ${messageOf(error)}`)),
    },
    endpointUrl(projectId, httpPort) {
      return secured(hostOf(projectId)) ? endpointUrl(projectId, { domain: config.domain, port: httpsPort(), scheme: 'https' }) : endpointUrl(projectId, { domain: config.domain, port: httpPort });
    },
    state: (host) => manager?.state(host),
    certificateText(projectId) {
      const host = hostOf(projectId);
      if (!manager) return secured(host) ? 'HTTPS with the certificate given in --tls-cert' : `plain HTTP: the certificate in --tls-cert does not cover ${host}`;
      const state = manager.state(host);
      if (state?.kind === 'valid') return `HTTPS: certificate valid until ${state.notAfter.toISOString().slice(0, 10)}, renewed ${config.tlsRenewBeforeDays} days before`;
      if (state?.kind === 'failed') return `plain HTTP: no certificate could be obtained for ${host} (${state.reason}); tried again at the next renewal check`;
      return `plain HTTP until a certificate for ${host} is obtained`;
    },
    renewDue,
    async close() {
      clearInterval(timer);
      if (!secure) return;
      const server = secure;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy(); // idle keep-alive connections and HTTP/2 sessions would hold `close` open
      await closed;
    },
  };
}
