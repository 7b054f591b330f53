import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/config.ts';
import { tlsModeOf } from '../../gateway/tls/tls-settings.ts';

const configOf = (flags: Record<string, string>, env: Record<string, string> = {}) => loadConfig(env, flags);

describe('TLS settings', () => {
  it('stays off by default, on plain HTTP', () => {
    expect(tlsModeOf(configOf({}))).toEqual({ kind: 'off' });
  });

  it('takes --tls acme with a public domain, Let\'s Encrypt production and renewal defaults', () => {
    const config = configOf({ tls: 'acme', domain: 'demos.example.com', port: '443' });
    expect(tlsModeOf(config)).toEqual({ kind: 'acme' });
    expect(config).toMatchObject({ httpPort: 80, acmeDirectoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', tlsRenewBeforeDays: 30, tlsRenewCheckIntervalMs: 3_600_000 });
  });

  it.each(['localhost', 'demo.localhost', '10.0.0.5', 'intranet'])('refuses --tls acme with --domain %s, naming the fix', (domain) => {
    expect(() => tlsModeOf(configOf({ tls: 'acme', domain, port: '443' }))).toThrow(/--tls acme needs a public DNS name in --domain .*demos\.example\.com/);
  });

  it('refuses a certificate without its key, and a key without its certificate', () => {
    expect(() => tlsModeOf(configOf({ 'tls-cert': '/etc/ssl/wild.pem', domain: 'demos.example.com' }))).toThrow('--tls-cert and --tls-key go together');
    expect(() => tlsModeOf(configOf({}, { PORTICO_TLS_KEY: '/etc/ssl/wild.key' }))).toThrow('--tls-cert and --tls-key go together');
  });

  it('takes --tls-cert with --tls-key as absolute paths', () => {
    expect(tlsModeOf(configOf({ 'tls-cert': 'wild.pem', 'tls-key': 'wild.key', port: '443' }))).toEqual({ kind: 'files', certFile: expect.stringMatching(/^\/.*\/wild\.pem$/), keyFile: expect.stringMatching(/^\/.*\/wild\.key$/) });
  });

  it('refuses --tls acme together with a certificate of your own', () => {
    expect(() => tlsModeOf(configOf({ tls: 'acme', domain: 'demos.example.com', 'tls-cert': 'a.pem', 'tls-key': 'a.key' }))).toThrow('choose one');
  });

  it('refuses one port for both HTTPS and plain HTTP', () => {
    expect(() => tlsModeOf(configOf({ tls: 'acme', domain: 'demos.example.com', port: '80' }))).toThrow('--port (HTTPS) and --http-port (plain HTTP) must differ');
  });

  it('refuses an unknown --tls value and a malformed email', () => {
    expect(() => configOf({ tls: 'letsencrypt' })).toThrow('--tls must be acme or off, got "letsencrypt"');
    expect(() => configOf({}, { PORTICO_ACME_EMAIL: 'ops' })).toThrow('PORTICO_ACME_EMAIL must be an email address');
  });
});
