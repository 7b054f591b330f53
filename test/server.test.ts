import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { isLoopback, startServer } from '../gateway/server.ts';

describe('startServer', () => {
  it('refuses to bind a non-loopback address without a token, saying why and what to set, before touching the data dir', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'portico-bind-')), 'data');
    const config = { ...loadConfig({}), host: '0.0.0.0', port: 0, dataDir, dockerHost: 'unix:///tmp/portico-no-engine.sock' };
    const error = await startServer(config, { log: () => {} }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/refusing to listen on 0\.0\.0\.0/);
    expect((error as Error).message).toContain('PORTICO_TOKEN');
    expect((error as Error).message).toContain('127.0.0.1');
    await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('binds a non-loopback address when a token is set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'portico-bind-'));
    const config = { ...loadConfig({}), host: '0.0.0.0', port: 0, dataDir, token: 't0ken', dockerHost: 'unix:///tmp/portico-no-engine.sock' };
    const gateway = await startServer(config, { log: () => {} });
    try {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/healthz`);
      expect(response.status).toBe(200);
      // Idle connections are kept longer than a load balancer's (60 s on an ALB), so the gateway never closes one under it.
      expect(response.headers.get('keep-alive')).toBe('timeout=65');
    } finally {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['127.example.com', false],
  ])('treats %s as loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
