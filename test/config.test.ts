import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, haproxyInstalled, loadConfig } from '../gateway/config.ts';

describe('loadConfig', () => {
  it('has defaults for a local machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', domain: 'localhost', dataDir: resolve('.portico'), githubApiUrl: 'https://api.github.com', githubToken: undefined });
    expect(config.maxSourceBytes).toBe(200 * 1024 * 1024);
    expect(config.containerNanoCpus).toBe(1e9);
  });

  it('takes flags over the environment', () => {
    const config = loadConfig({ PORTICO_PORT: '9000', PORTICO_DOMAIN: 'Demo.Example.com' }, { port: '9100' });
    expect(config.port).toBe(9100);
    expect(config.domain).toBe('demo.example.com');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORTICO_GITHUB_TOKEN: '' }).githubToken).toBeUndefined();
  });

  it.each([
    [{ PORTICO_PORT: 'abc' }, /PORTICO_PORT must be a port number/],
    [{ PORTICO_PORT: '70000' }, /PORTICO_PORT must be a port number/],
    [{ PORTICO_GITHUB_API: 'ftp://x' }, /PORTICO_GITHUB_API must be an http\(s\) URL/],
    [{ PORTICO_DOMAIN: 'bad domain' }, /PORTICO_DOMAIN must be a DNS name/],
    [{ PORTICO_STARTUP_TIMEOUT_MS: '1.5' }, /must be a whole number/],
    [{ PORTICO_CONTAINER_CPUS: '-1' }, /must be a positive number/],
    [{ PORTICO_PROXY: 'nginx' }, /PORTICO_PROXY must be node, haproxy or auto/],
  ])('refuses %j naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names the flag when the bad value came from one', () => {
    expect(() => loadConfig({}, { port: 'x' })).toThrow('--port must be a port number');
  });

  it('chooses the proxy: node or haproxy as asked, auto picks haproxy only where it is installed', () => {
    expect(loadConfig({ PORTICO_PROXY: 'node' }).proxy).toBe('node');
    expect(loadConfig({ PORTICO_PROXY: 'HAProxy' }).proxy).toBe('haproxy');
    expect(loadConfig({}, { proxy: 'node' }).proxy).toBe('node');
    expect(loadConfig({}).proxy).toBe(haproxyInstalled() ? 'haproxy' : 'node');
    expect(haproxyInstalled('/nonexistent')).toBe(haproxyInstalled('')); // only the well-known sbin dirs remain
  });

  it('takes a certificate from files for HAProxy to serve', () => {
    expect(loadConfig({ PORTICO_PROXY: 'haproxy' }, { 'tls-cert': '/x/cert.pem', 'tls-key': '/x/key.pem', 'http-port': '8080' })).toMatchObject({ proxy: 'haproxy', tlsCertFile: '/x/cert.pem', tlsKeyFile: '/x/key.pem', httpPort: 8080 });
  });
});
