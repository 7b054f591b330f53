import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/language-id/', import.meta.url));

/** Sentences whose language no one could mistake, and the code CLD3 must give each. */
const SENTENCES: ReadonlyArray<readonly [string, string]> = [
  ['en', 'The weather is lovely today, so we are going for a long walk in the park.'],
  ['fr', 'Le chat dort sur le canapé depuis ce matin et ne veut pas se réveiller.'],
  ['de', 'Ich habe heute leider keine Zeit, weil ich noch lange arbeiten muss.'],
  ['es', 'Hoy hace muy buen tiempo, así que vamos a pasear por el parque con los niños.'],
  ['ja', '今日はとても良い天気なので、公園を散歩しましょう。'],
  ['ru', 'Сегодня отличная погода, поэтому мы пойдём гулять в парк.'],
];

interface Reply {
  readonly status: number;
  readonly text: string;
}

/** A request to a demo through the gateway's endpoint, addressed by Host header as a browser would. */
function throughEndpoint(gateway: TestGateway, label: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.gateway.port, method, path, headers: { ...headers, host: `${label}.${gateway.config.domain}:${gateway.gateway.port}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const predict = (gateway: TestGateway, label: string, text: string) =>
  throughEndpoint(gateway, label, 'POST', '/predict', JSON.stringify({ text }), { 'content-type': 'application/json' });

/** Deploys and waits, returning the deployment and the wall-clock time from the API call to ready. */
async function timed(gateway: TestGateway, start: () => Promise<{ status: number; body: any }>): Promise<{ deployment: any; seconds: number; answer: any }> {
  const began = Date.now();
  const answer = await start();
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  const id = answer.body.deployment?.id ?? answer.body.id;
  const deployment = await gateway.waitForDeployment(id, 240_000);
  return { deployment, seconds: (Date.now() - began) / 1000, answer: answer.body };
}

function phaseTimes(deployment: any): string {
  return deployment.phases
    .map((p: { name: string; startedAt: string; endedAt: string }) => `${p.name} ${((Date.parse(p.endedAt) - Date.parse(p.startedAt)) / 1000).toFixed(1)}s`)
    .join(', ');
}

describe('the language-id example: real CPU inference deployed end to end', () => {
  const { docker, where } = testDocker();
  let gateway: TestGateway;
  let workDir: string;
  let sourceDir: string;
  let label = '';

  beforeAll(async () => {
    await requireDocker(docker, where);
    // The example exactly as committed, under a unique name so its project (and images) are this run's alone.
    workDir = await mkdtemp(join(tmpdir(), 'portico-ml-example-'));
    sourceDir = join(workDir, uniqueProjectId('language-id'));
    await cp(EXAMPLE, sourceDir, { recursive: true, filter: (path) => basename(path) !== 'node_modules' });
    // BuildKit's cache outlives a run: a field unique to this run makes its first build install the
    // dependencies for real (npm ci from the registry), as a new user's first build does.
    const manifest = join(sourceDir, 'package.json');
    await writeFile(manifest, JSON.stringify({ ...JSON.parse(await readFile(manifest, 'utf8')), portico_test_run: basename(sourceDir) }, null, 2));
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('builds with npm ci, becomes ready, and names the language of real sentences', { timeout: 300_000 }, async () => {
    const { deployment, seconds, answer } = await timed(gateway, () => gateway.api('POST', '/api/projects', { repo: sourceDir }));
    expect(deployment.status, deployment.error).toBe('ready');
    label = answer.id;
    console.log(`ml-example: first deploy ready in ${seconds.toFixed(1)}s (${phaseTimes(deployment)})`);

    const log = await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`);
    expect(log.text).toContain('npm ci');
    expect(log.text).toMatch(/added \d+ packages/);

    for (const [language, sentence] of SENTENCES) {
      const reply = await predict(gateway, label, sentence);
      expect(reply.status, reply.text).toBe(200);
      const body = JSON.parse(reply.text);
      expect(body, sentence).toMatchObject({ language, reliable: true });
      expect(body.probability).toBeGreaterThan(0.9);
      expect(typeof body.name).toBe('string');
    }
    expect(JSON.parse((await predict(gateway, label, SENTENCES[1]![1])).text).name).toBe('French');
    // Too short to judge: the model says so rather than guess.
    expect(JSON.parse((await predict(gateway, label, 'ok')).text)).toMatchObject({ language: 'und', reliable: false });

    const form = await throughEndpoint(gateway, label, 'POST', '/predict', `text=${encodeURIComponent(SENTENCES[3]![1])}`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(JSON.parse(form.text)).toMatchObject({ language: 'es' });
  });

  it('refuses a request without text, with a message', async () => {
    const empty = await predict(gateway, label, '   ');
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).error).toMatch(/"text" must be a non-empty string/);
    const notJson = await throughEndpoint(gateway, label, 'POST', '/predict', '{oops', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
  });

  it('serves a form at / and its OpenAPI document, also under the path prefix the API tab reads', async () => {
    const page = await throughEndpoint(gateway, label, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<form[^>]*action="predict"/); // relative, so it works under /p/{label}/ too
    expect(page.text).toContain('<textarea');

    for (const reply of [await throughEndpoint(gateway, label, 'GET', '/openapi.json'), await gateway.raw('GET', `/p/${label}/openapi.json`)]) {
      expect(reply.status).toBe(200);
      const spec = JSON.parse(reply.text);
      expect(spec.openapi).toMatch(/^3\./);
      expect(spec.info.title).toBe('Language ID (CLD3)');
      expect(spec.paths['/predict'].post.requestBody.content['application/json'].schema.required).toEqual(['text']);
      expect(spec.paths['/predict'].post.responses['200'].content['application/json'].schema.properties).toHaveProperty('language');
    }

    const apiTab = await gateway.raw('GET', `/projects/${label}/api`);
    expect(apiTab.status).toBe(200);
    expect(apiTab.text).toContain(`data-prefix="/p/${label}"`);

    // The README's Spaces front matter names the demo in the dashboard's gallery and on its page.
    const gallery = await gateway.raw('GET', '/');
    const card = gallery.text.slice(gallery.text.indexOf(`data-project="${label}"`)).split('</article>')[0]!;
    expect(card).toContain('<span class="emoji" aria-hidden="true">🌐</span>');
    expect(card).toContain(`<a class="title" href="/projects/${label}">Language ID (CLD3)</a>`);
    expect(card).toContain("Names a text&#39;s language with Google&#39;s CLD3 network, on CPU");
    expect((await gateway.raw('GET', `/projects/${label}`)).text).toContain('<title>Language ID (CLD3) · Portico</title>');
  });

  it('rebuilds after a code change without reinstalling its dependencies', { timeout: 300_000 }, async () => {
    await appendFile(join(sourceDir, 'page.js'), '// edited\n');
    const { deployment, seconds } = await timed(gateway, () => gateway.api('POST', `/api/projects/${label}/deployments`));
    expect(deployment.status, deployment.error).toBe('ready');
    console.log(`ml-example: rebuild after a code change ready in ${seconds.toFixed(1)}s (${phaseTimes(deployment)})`);

    const log = (await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`)).text;
    // The classic builder says "Using cache" on the line after the step; BuildKit says CACHED before or after it.
    const cached = (step: string) => new RegExp(`${step}[^\n]*\n[^\n]*(Using cache|CACHED)|CACHED[^\n]*${step}`);
    expect(log).toMatch(cached('RUN npm ci'));
    expect(log).not.toMatch(/added \d+ packages/);
    expect(log).not.toMatch(cached('COPY server\\.js')); // the edited file is copied again
    const project = await gateway.api('GET', `/api/projects/${label}`);
    expect(project.body.currentDeployment.id).toBe(deployment.id);
    expect(JSON.parse((await predict(gateway, label, SENTENCES[2]![1])).text)).toMatchObject({ language: 'de' });
  });
});
