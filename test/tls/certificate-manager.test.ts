import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileCertStore } from '../../gateway/adapters/local/file-cert-store.ts';
import type { CertificateIssuer, KeyAndCertificate } from '../../gateway/ports/certificates.ts';
import { createCertificateManager } from '../../gateway/tls/certificate-manager.ts';
import { steppedClock } from '../support/stepped-clock.ts';
import { makeCertificate } from '../support/test-certs.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOST = 'main-a-b.demos.example.com';

/** An issuer handing out real certificates (openssl, 10 days), counting calls; `failWith` makes the next calls fail. */
function testIssuer(dir: string) {
  let made = 0;
  const issuer = {
    calls: 0,
    failWith: undefined as string | undefined,
    async issue(host: string): Promise<KeyAndCertificate> {
      issuer.calls += 1;
      if (issuer.failWith) throw new Error(issuer.failWith);
      const certificate = await makeCertificate(dir, [host], { days: 10, prefix: `c${(made += 1)}` });
      return { certPem: certificate.certPem, keyPem: await readFile(certificate.keyFile, 'utf8') };
    },
  } satisfies CertificateIssuer & Record<string, unknown>;
  return issuer;
}

describe('the certificate manager', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'portico-manager-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  function setUp(name: string) {
    const clock = steppedClock(new Date());
    const issuer = testIssuer(dir);
    const store = createFileCertStore(join(dir, name));
    const lines: string[] = [];
    const manager = createCertificateManager({ issuer, store, clock }, { renewBeforeMs: 3 * DAY_MS, retryAfterMs: 60_000, log: (line) => lines.push(line) });
    return { clock, issuer, store, manager, lines };
  }

  it('issues once for any number of concurrent requests for one host', async () => {
    const { issuer, manager } = setUp('single-flight');
    const states = await Promise.all([manager.ensure(HOST), manager.ensure(HOST), manager.ensure(HOST)]);
    expect(issuer.calls).toBe(1);
    expect(new Set(states.map((state) => state.kind === 'valid' && state.serial)).size).toBe(1);
    expect(manager.contextFor(HOST.toUpperCase())).toBeDefined();
  });

  it('reuses the stored certificate after a restart instead of issuing again', async () => {
    const first = setUp('restart');
    const issued = await first.manager.ensure(HOST);
    const again = createCertificateManager({ issuer: first.issuer, store: first.store, clock: first.clock }, { renewBeforeMs: 3 * DAY_MS, retryAfterMs: 60_000, log: () => {} });
    await again.loadStored();
    expect(again.state(HOST)).toEqual(issued);
    expect(await again.ensure(HOST)).toEqual(issued);
    expect(first.issuer.calls).toBe(1);
  });

  it('renews only inside the renewal window, once per retry interval', async () => {
    const { clock, issuer, manager, lines } = setUp('window');
    const issued = await manager.ensure(HOST);
    if (issued.kind !== 'valid') throw new Error(`not issued: ${JSON.stringify(issued)}`);
    clock.advance(issued.notAfter.getTime() - clock.now().getTime() - 3 * DAY_MS - 1);
    expect(await manager.renewDue()).toEqual({ renewed: [], failed: [] });
    clock.advance(1);
    expect(await manager.renewDue()).toEqual({ renewed: [HOST], failed: [] });
    expect(issuer.calls).toBe(2);
    // The new certificate (10 days from the real now) is still inside the window on this clock: not renewed again at once.
    expect(await manager.renewDue()).toEqual({ renewed: [], failed: [] });
    expect(issuer.calls).toBe(2);
    expect(lines.at(-1)).toMatch(new RegExp(`^certificate for ${HOST.replace(/\./g, '\\.')} renewed: serial [0-9A-F]+, valid until `));
  });

  it('keeps serving the current certificate when a renewal fails, and says so', async () => {
    const { clock, issuer, manager, lines } = setUp('renewal-fails');
    const issued = await manager.ensure(HOST);
    if (issued.kind !== 'valid') throw new Error('not issued');
    const context = manager.contextFor(HOST);
    clock.advance(issued.notAfter.getTime() - clock.now().getTime() - DAY_MS);
    issuer.failWith = 'rateLimited: too many certificates';
    expect(await manager.renewDue()).toEqual({ renewed: [], failed: [HOST] });
    expect(manager.state(HOST)).toEqual(issued);
    expect(manager.contextFor(HOST)).toBe(context);
    expect(lines.at(-1)).toBe(`certificate for ${HOST} could not be renewed: rateLimited: too many certificates; the current one is kept`);
  });

  it('records why a first issuance failed, and tries again once the retry interval has passed', async () => {
    const { clock, issuer, manager, lines } = setUp('first-fails');
    issuer.failWith = 'urn:ietf:params:acme:error:connection: connection refused';
    const state = await manager.ensure(HOST);
    expect(state).toMatchObject({ kind: 'failed', reason: 'urn:ietf:params:acme:error:connection: connection refused' });
    expect(manager.contextFor(HOST)).toBeUndefined();
    expect(lines.at(-1)).toContain(`${HOST} is served on plain HTTP until it is (tried again after 1 min)`);
    issuer.failWith = undefined;
    expect(await manager.renewDue()).toEqual({ renewed: [], failed: [] });
    clock.advance(60_000);
    expect(await manager.renewDue()).toEqual({ renewed: [HOST], failed: [] });
    expect(manager.contextFor(HOST)).toBeDefined();
    expect(lines.at(-1)).toMatch(`certificate for ${HOST} issued on retry`);
  });

  it('forgets a host: no context, no state, no files, and an issuance finishing afterwards is discarded', async () => {
    const { issuer, store, manager } = setUp('forget');
    const pending = manager.ensure(HOST);
    while (issuer.calls === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await manager.forget(HOST); // while the CA is still working on it
    expect(await pending).toEqual({ kind: 'pending' });
    expect(manager.contextFor(HOST)).toBeUndefined();
    expect(manager.state(HOST)).toBeUndefined();
    expect(await store.hosts()).toEqual([]);
  });

  it('does not start an issuance for a host forgotten while its stored certificate was being looked for', async () => {
    const { issuer, manager } = setUp('forget-early');
    const pending = manager.ensure(HOST);
    await manager.forget(HOST);
    expect(await pending).toEqual({ kind: 'pending' });
    expect(issuer.calls).toBe(0);
    expect(manager.hosts()).toEqual([]);
  });
});
