import type { PortSource } from './declared-port.ts';

/** A TCP socket in LISTEN state, as the kernel's socket table (`/proc/net/tcp`, `tcp6`) lists it. */
export interface ListeningSocket {
  /** `0.0.0.0`, `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1`, a container address, … */
  readonly address: string;
  readonly port: number;
  /** Reachable only from inside the container's own network namespace. */
  readonly loopback: boolean;
}

/** What the container's listeners say about the declared port. */
export type ListenVerdict =
  /** Something listens on the declared port where the gateway can reach it: it just has not answered HTTP yet. */
  | { readonly kind: 'declared' }
  /** Not on the declared port, but on these (reachable, ascending): the app opened another port. */
  | { readonly kind: 'elsewhere'; readonly ports: readonly number[] }
  /** Only on loopback addresses: nothing outside the container can reach it. */
  | { readonly kind: 'loopback-only'; readonly sockets: readonly ListeningSocket[] }
  /** Not listening on any TCP port yet. */
  | { readonly kind: 'none' };

const TCP_LISTEN = '0A';

/**
 * Reads the LISTEN sockets out of the text of `/proc/net/tcp` and/or `/proc/net/tcp6` (one after
 * the other, headers included, as `cat` prints them). Addresses there are hex words in the
 * host's byte order: little-endian on the amd64 and arm64 hosts Portico runs on. Lines that are
 * not socket entries are skipped; each address and port is listed once.
 */
export function parseSocketTable(text: string): ListeningSocket[] {
  const seen = new Map<string, ListeningSocket>();
  for (const line of text.split('\n')) {
    // "  0: 00000000:1F90 00000000:0000 0A ..." — sl, local address, remote address, state
    const match = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+\S+\s+([0-9A-Fa-f]{2})\s/.exec(line);
    if (!match || match[3]!.toUpperCase() !== TCP_LISTEN) continue;
    const hex = match[1]!;
    const address = hex.length === 8 ? ipv4(hex) : ipv6(hex);
    const port = Number.parseInt(match[2]!, 16);
    const key = `${address}|${port}`;
    if (!seen.has(key)) seen.set(key, { address, port, loopback: isLoopback(address) });
  }
  return [...seen.values()];
}

/**
 * Docker's embedded DNS server listens inside every container on a user-defined network, on
 * 127.0.0.11 and a random TCP port: never the app's.
 */
const DOCKER_DNS = '127.0.0.11';

/** The sockets that may be the app's: all but the engine's own DNS server. */
export function appSockets(sockets: readonly ListeningSocket[]): ListeningSocket[] {
  return sockets.filter((socket) => socket.address !== DOCKER_DNS);
}

/** Whether the app listens on the declared port, on another one, only on loopback, or not at all. */
export function classifyListeners(all: readonly ListeningSocket[], declaredPort: number): ListenVerdict {
  const sockets = appSockets(all);
  const reachable = sockets.filter((socket) => !socket.loopback);
  if (reachable.some((socket) => socket.port === declaredPort)) return { kind: 'declared' };
  if (reachable.length > 0) return { kind: 'elsewhere', ports: [...new Set(reachable.map((socket) => socket.port))].sort((a, b) => a - b) };
  if (sockets.length > 0) return { kind: 'loopback-only', sockets };
  return { kind: 'none' };
}

/** How the port was declared, for "listens on 8501, not the EXPOSEd 80". */
export function describeDeclaredPort(port: number, source: PortSource | null): string {
  switch (source) {
    case 'setting':
      return `the project's port setting ${port}`;
    case 'front-matter':
      return `the README front matter's ${port}`;
    case 'expose':
      return `the EXPOSEd ${port}`;
    case 'env':
      return `its ENV PORT ${port}`;
    case 'command':
      return `the ${port} its command names`;
    case 'image-default':
      return `its image's usual ${port}`;
    case 'fallback':
      return `the default ${port} (nothing declared a port)`;
    default:
      return `the declared ${port}`;
  }
}

/** What a user should read when the app listens only inside its container. */
export function loopbackOnlyMessage(sockets: readonly ListeningSocket[]): string {
  const where = sockets.map((socket) => `${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${socket.port}`).join(', ');
  return (
    `the app listens only on ${where} inside its container, which nothing outside the container can reach; ` +
    'make it listen on 0.0.0.0 (all addresses): e.g. GRADIO_SERVER_NAME=0.0.0.0 for Gradio, --server.address 0.0.0.0 for Streamlit, ' +
    'uvicorn --host 0.0.0.0, flask run --host 0.0.0.0, or app.run(host="0.0.0.0")'
  );
}

function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/** Four 32-bit words, each in host (little-endian) order; written in the usual compressed form. */
function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const chunk = hex.slice(word * 8, word * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(Number.parseInt(chunk.slice(i, i + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
