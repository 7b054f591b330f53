import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCertStore } from '../../../gateway/adapters/local/file-cert-store.ts';

describe('the file certificate store', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'portico-certs-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const pair = { keyPem: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n', certPem: '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n' };
  const mode = async (path: string) => (await stat(path)).mode & 0o777;

  it('keeps a private key readable by the gateway only (0600, in 0700 directories)', async () => {
    const certs = join(dir, 'certs');
    await createFileCertStore(certs).save('main-a-b.demos.example.com', pair);
    const hostDir = join(certs, 'main-a-b.demos.example.com');
    expect(await Promise.all([mode(certs), mode(hostDir), mode(join(hostDir, 'key.pem')), mode(join(hostDir, 'cert.pem'))])).toEqual([0o700, 0o700, 0o600, 0o644]);
  });

  it('gives back what it saved, lists the hosts, and leaves no temporary files', async () => {
    const store = createFileCertStore(dir);
    await store.save('demos.example.com', pair);
    await store.save('demos.example.com', { ...pair, certPem: 'renewed' });
    expect(await store.load('demos.example.com')).toEqual({ ...pair, certPem: 'renewed' });
    expect(await store.hosts()).toEqual(['demos.example.com']);
    expect((await readdir(join(dir, 'demos.example.com'))).sort()).toEqual(['cert.pem', 'key.pem']);
  });

  it('answers null for a host it never saw, and removing twice is fine', async () => {
    const store = createFileCertStore(join(dir, 'missing'));
    expect(await store.load('demos.example.com')).toBeNull();
    expect(await store.hosts()).toEqual([]);
    await store.save('demos.example.com', pair);
    await store.remove('demos.example.com');
    await store.remove('demos.example.com');
    expect(await store.load('demos.example.com')).toBeNull();
  });

  it('refuses a name that is not a host (no path outside its directory)', async () => {
    await expect(createFileCertStore(dir).save('../etc', pair)).rejects.toThrow('not a host name');
  });
});
