import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { CertificateSource } from './certificate-manager.ts';

/**
 * An operator's own certificate (`--tls-cert`/`--tls-key`), typically a wildcard for
 * `*.{domain}` plus `{domain}`: served for every host it names. Refused at startup, with the
 * reason, when unreadable, when the key does not match, or when it covers no host Portico serves.
 */
export async function loadCertificateFiles(certFile: string, keyFile: string, domain: string, now: Date, log: (line: string) => void): Promise<CertificateSource & { readonly covers: (host: string) => boolean }> {
  const [certPem, keyPem] = await Promise.all([read(certFile, '--tls-cert'), read(keyFile, '--tls-key')]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw new ConfigError(`--tls-cert ${certFile} is not a PEM certificate: ${messageOf(error)}`);
  }
  let matches = false;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch (error) {
    throw new ConfigError(`--tls-key ${keyFile} is not a PEM private key: ${messageOf(error)}`);
  }
  if (!matches) throw new ConfigError(`--tls-key ${keyFile} is not the private key of the certificate in --tls-cert ${certFile}`);

  const covers = (host: string) => certificate.checkHost(host) !== undefined;
  const probe = `portico-probe.${domain}`;
  if (!covers(domain) && !covers(probe)) {
    throw new ConfigError(`the certificate in --tls-cert names ${certificate.subjectAltName ?? certificate.subject}, which covers neither ${domain} nor *.${domain}; use one for *.${domain} and ${domain}`);
  }
  if (!covers(probe)) log(`warning: the certificate in --tls-cert does not cover *.${domain}: demo endpoints are served on plain HTTP`);
  if (!covers(domain)) log(`warning: the certificate in --tls-cert does not cover ${domain}: the dashboard and API are served on plain HTTP`);
  const notAfter = new Date(certificate.validTo);
  if (notAfter <= now) log(`warning: the certificate in --tls-cert expired on ${notAfter.toISOString()}; browsers will refuse it`);

  const context = createSecureContext({ key: keyPem, cert: certPem });
  return { covers, contextFor: (host) => (covers(host) ? context : undefined) };
}

async function read(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${flag} ${path} cannot be read: ${messageOf(error)}`);
  }
}
