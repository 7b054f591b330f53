import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { superviseHaproxy } from '../../../gateway/adapters/local/haproxy-supervisor.ts';
import { freePort } from '../../support/net.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the HAProxy supervisor', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('stops the HAProxy a killed gateway left on its data dir before starting its own on the same port', async () => {
    const root = await mkdtemp(join(tmpdir(), 'portico-haproxy-'));
    dirs.push(root);
    const settings = { dir: join(root, 'haproxy'), host: '127.0.0.1', port: await freePort(), activatorPort: await freePort(), upstreamTimeoutMs: 5_000, maxBodyBytes: 1_000_000 };
    const lines: string[] = [];
    // The first gateway dies without stopping its HAProxy: that one keeps the port.
    const orphaned = await superviseHaproxy(settings, { routes: () => new Map(), log: (line) => lines.push(line) });
    const orphanPid = orphaned.pid!;
    const next = await superviseHaproxy(settings, { routes: () => new Map(), log: (line) => lines.push(line) });
    try {
      expect(alive(orphanPid)).toBe(false);
      expect(next.pid).not.toBe(orphanPid);
      expect(alive(next.pid!)).toBe(true);
      expect(lines).toContain(`stopping HAProxy (pid ${orphanPid}) left running by a gateway that did not stop cleanly`);
    } finally {
      await next.stop();
      await orphaned.stop();
    }
  });
});
