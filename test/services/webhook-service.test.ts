import { describe, expect, it } from 'vitest';
import type { Deployment, Project } from '../../gateway/domain/types.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import type { DeliveryLog } from '../../gateway/ports/delivery-log.ts';
import { type PushEvent, createWebhookService } from '../../gateway/services/webhook-service.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';

const projects: Project[] = [
  makeProject({ id: 'main-hello-acme', source: { kind: 'github', owner: 'Acme', repo: 'Hello' }, branch: 'main' }),
  makeProject({ id: 'dev-hello-acme', source: { kind: 'github', owner: 'acme', repo: 'hello' }, branch: 'dev' }),
  makeProject({ id: 'main-hello-git', source: { kind: 'git', url: 'https://git.example.com/acme/hello.git', owner: 'acme', repo: 'hello' }, branch: 'main' }),
  makeProject({ id: 'main-other-acme', source: { kind: 'github', owner: 'acme', repo: 'other' }, branch: 'main' }),
  makeProject({ id: 'main-hello-local', source: { kind: 'dir', path: '/srv/acme/hello', owner: 'local', repo: 'hello' }, branch: 'main' }),
];

/** The service over a fixed project list, recording which projects it redeploys. */
function service(options: { rememberDeliveries?: number; redeploy?: (id: string) => Promise<Deployment>; deliveries?: DeliveryLog } = {}) {
  const redeployed: string[] = [];
  const webhooks = createWebhookService(
    {
      deliveries: options.deliveries && { log: options.deliveries, clock: systemClock },
      listProjects: async () => projects,
      redeploy: async (id) => {
        redeployed.push(id);
        return options.redeploy ? options.redeploy(id) : makeDeployment({ id: `dep-${redeployed.length}`, projectId: id });
      },
    },
    options,
  );
  return { webhooks, redeployed };
}

const push = (ref: string, repository: Partial<PushEvent['repository']> = {}): PushEvent => ({
  ref,
  repository: { full_name: 'acme/hello', clone_url: 'https://github.com/acme/hello.git', ...repository },
});

describe('the webhook service', () => {
  it('redeploys every project tracking the pushed GitHub repository and branch, matching owner/repo case-insensitively', async () => {
    const { webhooks, redeployed } = service();
    const result = await webhooks.push(push('refs/heads/main', { full_name: 'ACME/hello' }), 'd-1');
    expect(redeployed).toEqual(['main-hello-acme']);
    expect(result).toMatchObject({ kind: 'deployed', duplicate: false, deployments: [{ projectId: 'main-hello-acme' }] });
  });

  it('matches git-URL projects by any of the repository URLs, ignoring a trailing .git or slash', async () => {
    const { webhooks, redeployed } = service();
    await webhooks.push(push('refs/heads/main', { full_name: 'acme/hello-mirror', clone_url: 'https://git.example.com/acme/hello/' }), undefined);
    expect(redeployed).toEqual(['main-hello-git']);
  });

  it('does not match a git URL whose path differs only in case on a host other than GitHub', async () => {
    const { webhooks, redeployed } = service();
    const result = await webhooks.push(push('refs/heads/main', { full_name: 'x/y', clone_url: 'https://git.example.com/ACME/hello.git' }), undefined);
    expect(redeployed).toEqual([]);
    expect(result).toEqual({ kind: 'ignored', reason: 'no project tracks x/y@main' });
  });

  it('ignores a push to a branch no project tracks, saying which', async () => {
    const { webhooks, redeployed } = service();
    expect(await webhooks.push(push('refs/heads/feature/x'), 'd-1')).toEqual({ kind: 'ignored', reason: 'no project tracks acme/hello@feature/x' });
    expect(redeployed).toEqual([]);
  });

  it('ignores tag pushes and branch deletions', async () => {
    const { webhooks, redeployed } = service();
    expect(await webhooks.push(push('refs/tags/v1.0'), undefined)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('not a branch') });
    expect(await webhooks.push({ ...push('refs/heads/main'), deleted: true }, undefined)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('deleted') });
    expect(redeployed).toEqual([]);
  });

  it('deploys a delivery once, even when the duplicate arrives while the first is still deploying', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { webhooks, redeployed } = service({
      redeploy: async (id) => {
        await gate;
        return makeDeployment({ id: 'dep-once', projectId: id });
      },
    });
    const first = webhooks.push(push('refs/heads/main'), 'same-delivery');
    const second = webhooks.push(push('refs/heads/main'), 'same-delivery');
    release();
    expect(await first).toMatchObject({ kind: 'deployed', duplicate: false });
    expect(await second).toMatchObject({ kind: 'deployed', duplicate: true, deployments: [{ id: 'dep-once' }] });
    expect(await webhooks.push(push('refs/heads/main'), 'same-delivery')).toMatchObject({ duplicate: true });
    expect(redeployed).toEqual(['main-hello-acme']);
  });

  it('deploys again for a new delivery id, and forgets the oldest ids beyond its limit', async () => {
    const { webhooks, redeployed } = service({ rememberDeliveries: 2 });
    await webhooks.push(push('refs/heads/main'), 'a');
    await webhooks.push(push('refs/heads/main'), 'b');
    await webhooks.push(push('refs/heads/main'), 'c'); // forgets a
    await webhooks.push(push('refs/heads/main'), 'c');
    await webhooks.push(push('refs/heads/main'), 'a');
    expect(redeployed).toHaveLength(4);
  });

  it('lets a delivery that failed be delivered again', async () => {
    let fail = true;
    const { webhooks, redeployed } = service({
      redeploy: async (id) => {
        if (fail) throw new Error('store down');
        return makeDeployment({ id: 'dep-retry', projectId: id });
      },
    });
    await expect(webhooks.push(push('refs/heads/main'), 'retry-me')).rejects.toThrow('store down');
    fail = false;
    expect(await webhooks.push(push('refs/heads/main'), 'retry-me')).toMatchObject({ kind: 'deployed', duplicate: false });
    expect(redeployed).toEqual(['main-hello-acme', 'main-hello-acme']);
  });

  describe('with a delivery log shared between gateway instances (AWS)', () => {
    /** What the DynamoDB delivery log does (its own test runs it on dynalite), kept in a Set. */
    function sharedLog(): DeliveryLog & { readonly claimed: Set<string> } {
      const claimed = new Set<string>();
      return {
        claimed,
        claim: async (id) => (claimed.has(id) ? false : (claimed.add(id), true)),
        release: async (id) => void claimed.delete(id),
      };
    }

    it('deploys a delivery on the instance that claims it first; another instance answers it as a duplicate and deploys nothing', async () => {
      const log = sharedLog();
      const first = service({ deliveries: log });
      const second = service({ deliveries: log });
      expect(await first.webhooks.push(push('refs/heads/main'), 'one-delivery')).toMatchObject({ kind: 'deployed', duplicate: false, deployments: [{ projectId: 'main-hello-acme' }] });
      expect(await second.webhooks.push(push('refs/heads/main'), 'one-delivery')).toStrictEqual({ kind: 'deployed', duplicate: true, deployments: [] });
      expect([first.redeployed, second.redeployed]).toStrictEqual([['main-hello-acme'], []]);
    });

    it('releases the claim of a delivery that failed, so a redelivery to any instance deploys', async () => {
      const log = sharedLog();
      const failing = service({ deliveries: log, redeploy: async () => Promise.reject(new Error('store down')) });
      const healthy = service({ deliveries: log });
      await expect(failing.webhooks.push(push('refs/heads/main'), 'retry-me')).rejects.toThrow('store down');
      expect(log.claimed.has('retry-me')).toBe(false);
      expect(await healthy.webhooks.push(push('refs/heads/main'), 'retry-me')).toMatchObject({ kind: 'deployed', duplicate: false });
      expect(healthy.redeployed).toStrictEqual(['main-hello-acme']);
    });

    it('keeps a delivery without an id out of the log: it is handled every time, as locally', async () => {
      const log = sharedLog();
      const { webhooks, redeployed } = service({ deliveries: log });
      await webhooks.push(push('refs/heads/main'), undefined);
      await webhooks.push(push('refs/heads/main'), undefined);
      expect(redeployed).toHaveLength(2);
      expect(log.claimed.size).toBe(0);
    });
  });
});
