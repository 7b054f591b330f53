import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

/**
 * Pebble, Let's Encrypt's ACME test server (Debian's `pebble` package), on loopback ports with
 * its own config, and `pebble-challtestsrv` as its DNS server: every name resolves to 127.0.0.1
 * unless a test says otherwise. Validation is real (no PEBBLE_VA_ALWAYS_VALID): Pebble fetches
 * `http://{host}:{httpPort}/.well-known/acme-challenge/{token}` from whoever listens on httpPort.
 */
export interface Pebble {
  readonly directoryUrl: string;
  /** PEM of the CA that signed Pebble's own HTTPS listener (for the ACME client). */
  readonly listenerCaFile: string;
  /** PEM of the root that signs issued certificates (fetched from the management API; new on each start). */
  readonly issuingRoot: string;
  /** Makes `host` resolve to `address` for Pebble's validation (e.g. where nothing listens). */
  resolve(host: string, address: string): Promise<void>;
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startPebble(options: { readonly httpPort: number }): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-pebble-'));
  const [acmePort, managementPort, dnsPort, dnsManagementPort, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const listenerCaFile = join(dir, 'listener.pem');
  const keyFile = join(dir, 'listener.key');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', listenerCaFile]);
  const configFile = join(dir, 'pebble.json');
  await writeFile(configFile, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: listenerCaFile,
      privateKey: keyFile,
      httpPort: options.httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));

  let output = '';
  const capture = (child: ChildProcess, name: string) => {
    child.stdout?.on('data', (chunk: Buffer) => (output += `[${name}] ${chunk.toString()}`));
    child.stderr?.on('data', (chunk: Buffer) => (output += `[${name}] ${chunk.toString()}`));
    return child;
  };
  const dns = capture(spawn('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsManagementPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''], { stdio: ['ignore', 'pipe', 'pipe'] }), 'challtestsrv');
  // No sleeps before validation and no spurious badNonce rejections: the test stays fast and deterministic.
  const pebble = capture(spawn('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' } }), 'pebble');
  const agent = new Agent({ ca: await readFile(listenerCaFile, 'utf8') });

  const stop = async () => {
    for (const child of [pebble, dns]) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor(() => get(directoryUrl, agent), 10_000, () => output);
    const issuingRoot = await get(`https://127.0.0.1:${managementPort}/roots/0`, agent);
    return {
      directoryUrl,
      listenerCaFile,
      issuingRoot,
      output: () => output,
      async resolve(host, address) {
        const response = await fetch(`http://127.0.0.1:${dnsManagementPort}/add-a`, { method: 'POST', body: JSON.stringify({ host, addresses: [address] }) });
        if (!response.ok) throw new Error(`challtestsrv add-a: ${response.status} ${await response.text()}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: ${res.statusCode} ${text}`))));
    }).on('error', reject).end();
  });
}

async function waitFor(check: () => Promise<unknown>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return void (await check());
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Pebble did not start: ${(error as Error).message}\n${context()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(command, args, (error, _stdout, stderr) => (error ? reject(new Error(`${command} failed: ${stderr}`)) : resolve())));
}
