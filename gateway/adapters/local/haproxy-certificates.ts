import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PorticoError } from '../../errors.ts';
import type { CertificateSink, KeyAndCertificate } from '../../ports/certificates.ts';
import type { HaproxyAdmin } from './haproxy-admin.ts';
import { haproxyFiles } from './haproxy-config.ts';

export interface HaproxyCertificates extends CertificateSink {
  /** Host → PEM (chain and key): what HAProxy must serve, written to its files each time it (re)starts. */
  current(): ReadonlyMap<string, string>;
}

/**
 * The ACME certificates HAProxy serves, changed through its runtime API (`new`/`set`/`commit ssl
 * cert`, `add`/`del ssl crt-list`, the map of secured hosts), never by a reload. Each change is also
 * written to the files HAProxy loads at start, so a restarted HAProxy serves the same set.
 * Before HAProxy has started (`started()` false) certificates are only kept, to be written then.
 */
export function createHaproxyCertificates(dir: string, admin: HaproxyAdmin, started: () => boolean): HaproxyCertificates {
  const files = haproxyFiles(dir);
  const certificates = new Map<string, string>();
  // Changes reach HAProxy one at a time, in the order they were made.
  let changes: Promise<unknown> = Promise.resolve();
  const inOrder = (change: () => Promise<void>): Promise<void> => {
    const next = changes.then(change, change);
    changes = next.catch(() => undefined);
    return next;
  };

  async function ask(line: string, success: RegExp, payload?: string): Promise<string> {
    const answer = (await admin.command(line, payload)).trim();
    if (!success.test(answer)) throw new PorticoError('engine_unavailable', `HAProxy refused "${line}${payload === undefined ? '' : ' <<…'}": ${answer || 'no answer'}`);
    return answer;
  }

  async function load(host: string, pem: string): Promise<void> {
    const file = certificateFile(dir, host);
    await writeAtomically(file, pem);
    await writeLists(dir, certificates);
    await ask(`new ssl cert ${file}`, /New empty certificate store|already exists/);
    await ask(`set ssl cert ${file}`, /Transaction (created|updated)/, pem);
    try {
      await ask(`commit ssl cert ${file}`, /Success!/);
    } catch (error) {
      await admin.command(`abort ssl cert ${file}`).catch(() => undefined);
      throw error;
    }
    const listed = (await admin.command(`show ssl crt-list ${files.crtList}`)).split('\n').some((line) => line.trim().split(/\s+/)[0] === file);
    if (!listed) await ask(`add ssl crt-list ${files.crtList} ${file}`, /Success!/);
    await admin.setMap(files.secured, host, '1'); // redirected to HTTPS only once it is served there
  }

  async function unload(host: string): Promise<void> {
    const file = certificateFile(dir, host);
    await writeLists(dir, certificates);
    await rm(file, { force: true });
    await admin.delMap(files.secured, host);
    await ask(`del ssl crt-list ${files.crtList} ${file}`, /deleted|does not exist|doesn't exist/);
    await ask(`del ssl cert ${file}`, /deleted|does not exist|doesn't exist/);
  }

  return {
    current: () => certificates,
    async put(host, pair) {
      const pem = certificatePem(pair);
      certificateFile(dir, host); // refuses a name that cannot be a file name
      certificates.set(host, pem);
      return inOrder(async () => (started() && certificates.get(host) === pem ? load(host, pem) : undefined));
    },
    async drop(host) {
      certificates.delete(host);
      return inOrder(async () => (started() && !certificates.has(host) ? unload(host) : undefined));
    },
  };
}

/** Every certificate file, the crt-list naming them and the map of hosts that have one, as HAProxy loads them at start. */
export async function writeCertificateFiles(dir: string, certificates: ReadonlyMap<string, string>): Promise<void> {
  await mkdir(haproxyFiles(dir).certs, { recursive: true, mode: 0o700 });
  for (const [host, pem] of certificates) await writeAtomically(certificateFile(dir, host), pem);
  await writeLists(dir, certificates);
}

async function writeLists(dir: string, certificates: ReadonlyMap<string, string>): Promise<void> {
  const files = haproxyFiles(dir);
  const hosts = [...certificates.keys()];
  await writeAtomically(files.crtList, hosts.map((host) => `${certificateFile(dir, host)}\n`).join(''));
  await writeAtomically(files.secured, hosts.map((host) => `${host} 1\n`).join(''));
}

function certificateFile(dir: string, host: string): string {
  if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(host)) throw new PorticoError('invalid_input', `not a host name: "${host}"`);
  return join(haproxyFiles(dir).certs, `${host}.pem`);
}

/** Chain and key in one PEM, as HAProxy's `crt` takes them; no blank line, which would end a runtime API payload early. */
export function certificatePem(pair: KeyAndCertificate): string {
  return `${pair.certPem}\n${pair.keyPem}`.split('\n').filter((line) => line.trim() !== '').join('\n');
}

let written = 0;
/** The private key is readable by the gateway only; a file is replaced whole, never seen half-written by a starting HAProxy. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${(written += 1)}.tmp`;
  await writeFile(temporary, text.endsWith('\n') || text === '' ? text : `${text}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
