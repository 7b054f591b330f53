import Dockerode from 'dockerode';
import { PorticoError, messageOf } from '../../errors.ts';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * A Dockerode client for `dockerHost` (a DOCKER_HOST-style address, or undefined for the local
 * socket) and `where`, the address spelled out for error messages. Every connection option is
 * passed explicitly so that docker-modem's own reading of DOCKER_HOST and DOCKER_CERT_PATH
 * cannot point the client somewhere other than what the config says.
 */
export function createDockerClient(dockerHost: string | undefined): { docker: Dockerode; where: string } {
  const cleared = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined };
  const address = dockerHost?.trim() || `unix://${DEFAULT_SOCKET}`;

  if (address.startsWith('unix://') || address.startsWith('npipe://')) {
    const scheme = address.startsWith('unix://') ? 'unix://' : 'npipe://';
    const socketPath = address.slice(scheme.length) || (scheme === 'unix://' ? DEFAULT_SOCKET : '//./pipe/docker_engine');
    return { docker: new Dockerode({ ...cleared, socketPath }), where: `${scheme}${socketPath}` };
  }

  // Like docker-modem: anything else is host:port, with tcp:// assumed when no scheme is given.
  const withScheme = address.includes('//') ? address : `tcp://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new PorticoError('invalid_input', `DOCKER_HOST "${address}" is not an engine address; use unix:///var/run/docker.sock or tcp://127.0.0.1:2375`, {
      cause,
      field: 'dockerHost',
    });
  }
  const protocol = url.protocol === 'ssh:' ? 'ssh' : url.protocol === 'https:' || url.port === '2376' ? 'https' : 'http';
  const options = { ...cleared, host: url.hostname, port: url.port || (protocol === 'https' ? '2376' : '2375'), protocol, ...(protocol === 'ssh' ? { username: url.username } : {}) } as const;
  return { docker: new Dockerode(options as Dockerode.DockerOptions), where: withScheme };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** The errno-style code of a failed connection (`ECONNREFUSED`, `ENOENT`, …), or undefined when the engine did answer. */
export function connectionErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_CODES.has(code) ? code : undefined;
}

export function isConnectionError(error: unknown): boolean {
  return connectionErrorCode(error) !== undefined;
}

/** The HTTP status the engine answered with (404 no such container, 304 already stopped, …). */
export function engineStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own explanation of a failed call, without dockerode's "(HTTP code 500) server error -" prefix. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message;
  return messageOf(error).replace(/^\(HTTP code \d+\)[^-]*- /, '');
}

/** The error every Docker adapter throws when no engine answers: where it looked and how to get one. */
export function engineUnavailable(where: string, cause: unknown): PorticoError {
  const code = connectionErrorCode(cause);
  if (code === 'EACCES' || code === 'EPERM') {
    return new PorticoError(
      'engine_unavailable',
      `No permission to use the Docker engine at ${where} (${messageOf(cause)}). Run Portico as root, or add this user to the "docker" group and log in again.`,
      { cause },
    );
  }
  return new PorticoError(
    'engine_unavailable',
    `No Docker engine reachable at ${where} (${messageOf(cause)}). Start one (\`sudo dockerd &\` or \`sudo systemctl start docker\`), or set DOCKER_HOST to one that runs.`,
    { cause },
  );
}

/** Runs one engine call; a failed connection becomes `engine_unavailable`, anything else is rethrown as is. */
export async function withEngine<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isConnectionError(error) ? engineUnavailable(where, error) : error;
  }
}
