import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

/** A CA and a certificate it signed for `names` (DNS SANs), made with the openssl CLI in `dir`. */
export async function makeCertificate(dir: string, names: readonly string[], options: { readonly days?: number; readonly prefix?: string } = {}): Promise<TestCertificate & { readonly caPem: string }> {
  const prefix = options.prefix ?? 'site';
  const ca = join(dir, `${prefix}-ca`);
  const leaf = join(dir, prefix);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '3', '-subj', `/CN=${prefix} test CA`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`]);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${names[0]}`, '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`]);
  await writeFile(`${leaf}.ext`, `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\n`);
  await openssl(['x509', '-req', '-in', `${leaf}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', String(options.days ?? 2), '-extfile', `${leaf}.ext`, '-out', `${leaf}.pem`]);
  return { certFile: `${leaf}.pem`, keyFile: `${leaf}.key`, certPem: await readFile(`${leaf}.pem`, 'utf8'), caPem: await readFile(`${ca}.pem`, 'utf8') };
}

function openssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile('openssl', args, (error, _stdout, stderr) => (error ? reject(new Error(`openssl ${args[0]} failed: ${stderr}`)) : resolve())));
}
