import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSignature } from '../../gateway/api/github-signature.ts';
import { type FakeGithub, startFakeGithub } from '../support/fake-github.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, createGitRepo } from '../support/git-repo.ts';

const SECRET = 'webhook-secret-b41f';
const TOKEN = 'api-token-not-sent-by-github';
const NO_ENGINE = 'unix:///tmp/portico-no-engine.sock';

/** A delivery as GitHub sends it: JSON body, event and delivery headers, signature over the exact bytes. */
function delivery(event: string, payload: unknown, options: { secret?: string | null; id?: string } = {}) {
  const body = JSON.stringify(payload);
  const secret = options.secret === undefined ? SECRET : options.secret;
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.id ?? randomUUID(),
      ...(secret === null ? {} : { 'x-hub-signature-256': githubSignature(secret, body) }),
    },
  };
}

/**
 * Real gateway (no engine: a deployment resolves its commit, then fails at start), real git
 * repositories, a fake GitHub API over real git. A token is set, to show webhooks need none.
 */
describe('POST /api/webhooks/github', () => {
  let gateway: TestGateway;
  let github: FakeGithub;
  let gitRepo: GitRepo;
  let githubRepo: GitRepo;
  let gitProject: string;
  let githubProject: string;

  const send = async (event: string, payload: unknown, options: { secret?: string | null; id?: string } = {}) => {
    const { body, headers } = delivery(event, payload, options);
    const response = await fetch(`${gateway.url}/api/webhooks/github`, { method: 'POST', headers, body });
    return { status: response.status, body: await response.json() };
  };
  const pushTo = (repo: GitRepo, branch: string) => ({ ref: `refs/heads/${branch}`, after: 'ignored', repository: { full_name: 'someone/mirror', clone_url: repo.url } });
  const latestOf = async (id: string) => (await gateway.api('GET', `/api/projects/${id}`)).body.latestDeployment;
  const authed = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

  beforeAll(async () => {
    gitRepo = await createGitRepo({ Dockerfile: 'FROM scratch\nEXPOSE 8000\n' });
    githubRepo = await createGitRepo({ Dockerfile: 'FROM scratch\nEXPOSE 8000\n' });
    github = await startFakeGithub();
    github.addRepo('Acme', 'Hello', githubRepo.dir);
    gateway = await startTestGateway({ githubWebhookSecret: SECRET, token: TOKEN, githubApiUrl: github.url, dockerHost: NO_ENGINE });
    const a = await authed('POST', '/api/projects', { repo: gitRepo.url, branch: 'main' });
    const b = await authed('POST', '/api/projects', { repo: 'Acme/Hello', branch: 'main' });
    expect([a.status, b.status]).toEqual([201, 201]);
    [gitProject, githubProject] = [a.body.id, b.body.id];
    await gateway.waitForDeployment(a.body.deployment.id);
    await gateway.waitForDeployment(b.body.deployment.id);
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await github.close();
    await gitRepo.remove();
    await githubRepo.remove();
  });

  it('answers a ping with 200', async () => {
    expect(await send('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).toEqual({ status: 200, body: { ok: true, event: 'ping' } });
  });

  it('deploys the pushed commit of a git-URL project, without the API token', async () => {
    const pushed = await gitRepo.commit({ 'index.html': 'v2\n' }, 'second');
    const response = await send('push', pushTo(gitRepo, 'main'));
    expect(response.status).toBe(202);
    expect(response.body.deployments).toHaveLength(1);
    expect(response.body.deployments[0].projectId).toBe(gitProject);
    const deployment = await gateway.waitForDeployment(response.body.deployments[0].id);
    expect(deployment.commit).toBe(pushed);
  });

  it('deploys a GitHub project when the pushed owner/repo differs only in case', async () => {
    const pushed = await githubRepo.commit({ 'index.html': 'v2\n' }, 'second');
    const response = await send('push', { ref: 'refs/heads/main', repository: { full_name: 'acme/hello', clone_url: 'https://github.com/acme/hello.git' } });
    expect(response.status).toBe(202);
    expect(response.body.deployments.map((d: { projectId: string }) => d.projectId)).toEqual([githubProject]);
    expect((await gateway.waitForDeployment(response.body.deployments[0].id)).commit).toBe(pushed);
  });

  it('ignores a push to a branch no project tracks with 202 and the reason, deploying nothing', async () => {
    const before = (await latestOf(gitProject)).id;
    const response = await send('push', pushTo(gitRepo, 'experiment'));
    expect(response).toEqual({ status: 202, body: { ignored: 'no project tracks someone/mirror@experiment' } });
    expect((await latestOf(gitProject)).id).toBe(before);
  });

  it('deploys a duplicate delivery once', async () => {
    const id = randomUUID();
    const first = await send('push', pushTo(gitRepo, 'main'), { id });
    const second = await send('push', pushTo(gitRepo, 'main'), { id });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.ignored).toMatch(/already handled/);
    expect(second.body.deployments.map((d: { id: string }) => d.id)).toEqual(first.body.deployments.map((d: { id: string }) => d.id));
    expect((await latestOf(gitProject)).id).toBe(first.body.deployments[0].id);
    await gateway.waitForDeployment(first.body.deployments[0].id);
  });

  it.each([
    ['a signature made with another secret', 'not-the-secret'],
    ['no signature', null],
  ])('refuses %s with 401 and deploys nothing', async (_what, secret) => {
    const before = (await latestOf(gitProject)).id;
    const response = await send('push', pushTo(gitRepo, 'main'), { secret });
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('PORTICO_GITHUB_WEBHOOK_SECRET') });
    expect((await latestOf(gitProject)).id).toBe(before);
  });

  it('refuses a body changed after signing', async () => {
    const { body, headers } = delivery('push', pushTo(gitRepo, 'main'));
    const response = await fetch(`${gateway.url}/api/webhooks/github`, { method: 'POST', headers, body: body.replace('refs/heads/main', 'refs/heads/prod') });
    expect(response.status).toBe(401);
  });

  it('answers 400 to a signed push without a repository', async () => {
    const response = await send('push', { ref: 'refs/heads/main' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('repository');
  });

  it('accepts the form-encoded content type GitHub also offers', async () => {
    const payload = JSON.stringify(pushTo(gitRepo, 'nobody-tracks-this'));
    const body = new URLSearchParams({ payload }).toString();
    const response = await fetch(`${gateway.url}/api/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': githubSignature(SECRET, body) },
      body,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ignored: 'no project tracks someone/mirror@nobody-tracks-this' });
  });
});

describe('POST /api/webhooks/github with no secret configured', () => {
  it('refuses every delivery, saying which setting turns webhooks on', async () => {
    const gateway = await startTestGateway({ dockerHost: NO_ENGINE });
    try {
      const { body, headers } = delivery('ping', { zen: 'hi' });
      const response = await fetch(`${gateway.url}/api/webhooks/github`, { method: 'POST', headers, body });
      expect(response.status).toBe(403);
      const json = await response.json();
      expect(json.error.code).toBe('forbidden');
      expect(json.error.message).toContain('PORTICO_GITHUB_WEBHOOK_SECRET');
    } finally {
      await gateway.stop({ removeData: true });
    }
  });
});
