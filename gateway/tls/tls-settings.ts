import { isIP } from 'node:net';
import { type Config, ConfigError } from '../config.ts';

/** How the gateway gets its certificates, decided once from the config. */
export type TlsMode = { readonly kind: 'off' } | { readonly kind: 'acme' } | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string };

/** Checks the TLS settings against each other; every refusal names the fix. */
export function tlsModeOf(config: Config): TlsMode {
  const { tls, tlsCertFile, tlsKeyFile } = config;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together: give both (a certificate for your domain and its private key, PORTICO_TLS_CERT / PORTICO_TLS_KEY) or neither');
  }
  const files = tlsCertFile !== undefined && tlsKeyFile !== undefined;
  if (tls === 'acme' && files) throw new ConfigError('choose one: --tls acme obtains certificates itself, --tls-cert/--tls-key serve yours; drop one of them');
  if (tls === 'off' && !files) return { kind: 'off' };
  if (config.httpPort === config.port && config.port !== 0) {
    throw new ConfigError(`with TLS on, --port (HTTPS) and --http-port (plain HTTP) must differ; both are ${config.port} (e.g. --port 443 --http-port 80)`);
  }
  if (files) return { kind: 'files', certFile: tlsCertFile, keyFile: tlsKeyFile };
  const reason = unreachableByCa(config.domain);
  if (reason) throw new ConfigError(`--tls acme needs a public DNS name in --domain that points at this server (e.g. --domain demos.example.com), not "${config.domain}": ${reason}`);
  return { kind: 'acme' };
}

function unreachableByCa(domain: string): string | null {
  if (domain === 'localhost' || domain.endsWith('.localhost')) return 'a certificate authority cannot validate localhost';
  if (isIP(domain)) return 'ACME HTTP-01 certificates name hosts, and endpoints are subdomains of --domain';
  if (!domain.includes('.')) return 'a single-label name cannot be resolved on the public internet';
  return null;
}
