import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateStore, KeyAndCertificate } from '../../ports/certificates.ts';

/**
 * Certificates as files under `{dir}/{host}/`: `key.pem` (mode 0600, in a 0700 directory) and
 * `cert.pem`. Each file is written to a temporary name and renamed, so a crash never leaves a
 * key that does not match its certificate half-written.
 */
export function createFileCertStore(dir: string): CertificateStore {
  const hostDir = (host: string) => {
    if (!/^[a-z0-9*](?:[a-z0-9.-]*[a-z0-9])?$/.test(host)) throw new Error(`not a host name: "${host}"`);
    return join(dir, host);
  };

  return {
    async load(host) {
      try {
        const [keyPem, certPem] = await Promise.all([readFile(join(hostDir(host), 'key.pem'), 'utf8'), readFile(join(hostDir(host), 'cert.pem'), 'utf8')]);
        return { keyPem, certPem };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async save(host, pair: KeyAndCertificate) {
      const target = hostDir(host);
      await mkdir(target, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      await writeAtomically(join(target, 'key.pem'), pair.keyPem, 0o600);
      await writeAtomically(join(target, 'cert.pem'), pair.certPem, 0o644);
    },
    async remove(host) {
      await rm(hostDir(host), { recursive: true, force: true });
    },
    async hosts() {
      try {
        return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
  };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode); // the umask may have narrowed or the file may have existed
  await rename(temporary, path);
}
