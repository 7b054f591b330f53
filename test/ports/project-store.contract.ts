import { beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../../gateway/domain/types.ts';
import { PorticoError, type ErrorCode } from '../../gateway/errors.ts';
import type { ProjectStore } from '../../gateway/ports/project-store.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';

/**
 * Behaviour every ProjectStore must have, whatever it is built on. An adapter's test file calls
 * this with a factory that returns a fresh, empty store for each test.
 */
export function projectStoreContract(name: string, makeStore: () => Promise<ProjectStore> | ProjectStore): void {
  describe(`ProjectStore contract: ${name}`, () => {
    let store: ProjectStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    describe('projects', () => {
      it('returns a created project with every field as it was written, nulls included', async () => {
        const project = makeProject({ id: 'main-gpt2-acme', gpu: 2, env: { A: '1' }, secrets: { HF_TOKEN: 'hf_abc' }, currentDeploymentId: null });
        await store.createProject(project);
        expect(await store.getProject(project.id)).toStrictEqual(project);
      });

      it.each<[string, Project['source']]>([
        ['github', { kind: 'github', owner: 'acme', repo: 'gpt2' }],
        ['git', { kind: 'git', url: 'git://127.0.0.1/acme/gpt2.git', owner: 'acme', repo: 'gpt2' }],
        ['dir', { kind: 'dir', path: '/srv/demos/gpt2', owner: 'local', repo: 'gpt2' }],
      ])('round-trips a %s source', async (_kind, source) => {
        await store.createProject(makeProject({ source }));
        expect((await store.getProject('main-gpt2-acme'))?.source).toStrictEqual(source);
      });

      it.each<Project['gpu']>(['auto', 'off', 2, 0])('round-trips the gpu setting %s with its type', async (gpu) => {
        await store.createProject(makeProject({ gpu }));
        expect((await store.getProject('main-gpt2-acme'))?.gpu).toBe(gpu);
      });

      it('keeps env keys and values with unicode, quotes, newlines and empty strings', async () => {
        const env = { GREETING: '안녕 👋 café', QUOTED: 'say "hi" \\ bye', 'KEY.WITH-DOTS': 'l1\nl2\t', EMPTY: '', 'ÜNÏCODE_KEY': '世界' };
        await store.createProject(makeProject({ env }));
        expect((await store.getProject('main-gpt2-acme'))?.env).toStrictEqual(env);
      });

      it('keeps secrets apart from env, and an empty secrets map as empty', async () => {
        await store.createProject(makeProject({ id: 'with-secrets', env: { MODE: 'demo' }, secrets: { API_KEY: 'k "1"\n', EMPTY: '' } }));
        await store.createProject(makeProject({ id: 'without-secrets', secrets: {} }));
        expect(await store.getProject('with-secrets')).toMatchObject({ env: { MODE: 'demo' }, secrets: { API_KEY: 'k "1"\n', EMPTY: '' } });
        expect((await store.getProject('without-secrets'))?.secrets).toStrictEqual({});
      });

      it('returns null for a project that does not exist', async () => {
        expect(await store.getProject('no-such-project')).toBeNull();
      });

      it('refuses a second project with the same id as a conflict and keeps the first', async () => {
        const first = makeProject({ branch: 'main' });
        await store.createProject(first);
        await expectPorticoError(store.createProject(makeProject({ branch: 'other' })), 'conflict');
        expect(await store.getProject(first.id)).toStrictEqual(first);
      });

      it('lists every project and nothing else', async () => {
        expect(await store.listProjects()).toStrictEqual([]);
        const projects = [makeProject({ id: 'b-proj' }), makeProject({ id: 'a-proj' }), makeProject({ id: 'c-proj' })];
        for (const project of projects) await store.createProject(project);
        const listed = await store.listProjects();
        expect([...listed].sort(byId)).toStrictEqual([...projects].sort(byId));
      });

      it('applies a patch to the named fields only and returns what a fresh read returns', async () => {
        const original = makeProject({ gpu: 'auto', env: { A: '1' }, secrets: { S: 'old' } });
        await store.createProject(original);
        const updated = await store.updateProject(original.id, { gpu: 'off', env: { B: '2' }, secrets: { T: 'new' }, idleTimeoutSeconds: 60 });
        expect(updated).toStrictEqual({ ...original, gpu: 'off', env: { B: '2' }, secrets: { T: 'new' }, idleTimeoutSeconds: 60 });
        expect(await store.getProject(original.id)).toStrictEqual(updated);
      });

      it('keeps the port and startup timeout settings, and clears them back to null', async () => {
        await store.createProject(makeProject({ port: 8501, startupTimeoutSeconds: 1800 }));
        expect(await store.getProject('main-gpt2-acme')).toMatchObject({ port: 8501, startupTimeoutSeconds: 1800 });
        const cleared = await store.updateProject('main-gpt2-acme', { port: null, startupTimeoutSeconds: null });
        expect([cleared.port, cleared.startupTimeoutSeconds]).toStrictEqual([null, null]);
        expect(await store.getProject('main-gpt2-acme')).toStrictEqual(cleared);
        const set = await store.updateProject('main-gpt2-acme', { port: 7860 });
        expect(set).toMatchObject({ port: 7860, startupTimeoutSeconds: null });
        expect(await store.getProject('main-gpt2-acme')).toStrictEqual(set);
      });

      it('sets currentDeploymentId and clears it back to null', async () => {
        await store.createProject(makeProject());
        expect((await store.updateProject('main-gpt2-acme', { currentDeploymentId: 'dep-1' })).currentDeploymentId).toBe('dep-1');
        expect((await store.updateProject('main-gpt2-acme', { currentDeploymentId: null })).currentDeploymentId).toBeNull();
        expect((await store.getProject('main-gpt2-acme'))?.currentDeploymentId).toBeNull();
      });

      it('leaves a field alone when the patch holds it as undefined', async () => {
        const original = makeProject({ branch: 'main' });
        await store.createProject(original);
        const updated = await store.updateProject(original.id, { branch: undefined, context: 'app' });
        expect(updated).toStrictEqual({ ...original, context: 'app' });
      });

      it('rejects an update of an unknown project with not_found and creates nothing', async () => {
        await expectPorticoError(store.updateProject('no-such-project', { branch: 'dev' }), 'not_found');
        expect(await store.getProject('no-such-project')).toBeNull();
      });

      it('treats deleting a project that does not exist as done', async () => {
        await expect(store.deleteProject('no-such-project')).resolves.toBeUndefined();
      });
    });

    describe('deployments', () => {
      beforeEach(async () => {
        await store.createProject(makeProject({ id: 'proj-a' }));
        await store.createProject(makeProject({ id: 'proj-b' }));
      });

      it('returns a queued deployment with its null fields as null', async () => {
        const deployment = makeDeployment({ id: 'dep-1', projectId: 'proj-a' });
        await store.createDeployment(deployment);
        expect(await store.getDeployment('dep-1')).toStrictEqual(deployment);
      });

      it('round-trips a deployment with every field filled in', async () => {
        const deployment = makeDeployment({
          id: 'dep-full',
          projectId: 'proj-a',
          status: 'failed',
          commit: 'a'.repeat(40),
          phases: [
            { name: 'resolving', startedAt: '2026-11-25T10:00:00.000Z', endedAt: '2026-11-25T10:00:01.000Z' },
            { name: 'building', startedAt: '2026-11-25T10:00:01.000Z', endedAt: null },
          ],
          error: 'build failed: step 3 — «pip install» exited 1',
          image: 'portico/proj-a:aaaaaaa',
          container: { id: 'c0ffee', upstream: 'http://127.0.0.1:32768' },
          placement: { gpus: 1, cudaVersion: '12.4', pool: 'a10g', reason: 'pool a10g (NVIDIA A10G, compute 8.6, driver 550.54.14) runs CUDA 12.4' },
          port: 8501,
          portReason: 'listens on 8501, not the EXPOSEd 80',
          card: { title: 'Story teller ✍️', emoji: '📖', description: 'GPT-2 "tells" stories', sdk: 'docker', appPort: 7860 },
        });
        await store.createDeployment(deployment);
        expect(await store.getDeployment('dep-full')).toStrictEqual(deployment);
      });

      it('keeps the port, its reason and a card with null fields, and clears them back to null', async () => {
        await store.createDeployment(makeDeployment({ id: 'dep-1', projectId: 'proj-a' }));
        const card = { title: null, emoji: null, description: null, sdk: 'gradio', appPort: null };
        const found = await store.updateDeployment('dep-1', { port: 7860, portReason: "the README's front matter says sdk: docker", card, container: { id: 'c', upstream: 'http://172.18.0.5:7860', port: 7860 } });
        expect(await store.getDeployment('dep-1')).toStrictEqual(found);
        expect(found).toMatchObject({ port: 7860, card, container: { port: 7860 } });
        const cleared = await store.updateDeployment('dep-1', { port: null, portReason: null, card: null });
        expect([cleared.port, cleared.portReason, cleared.card]).toStrictEqual([null, null, null]);
        expect(await store.getDeployment('dep-1')).toStrictEqual(cleared);
      });

      it('returns null for a deployment that does not exist', async () => {
        expect(await store.getDeployment('no-such-deployment')).toBeNull();
      });

      it('refuses a second deployment with the same id as a conflict and keeps the first', async () => {
        const first = makeDeployment({ id: 'dep-1', projectId: 'proj-a' });
        await store.createDeployment(first);
        await expectPorticoError(store.createDeployment(makeDeployment({ id: 'dep-1', projectId: 'proj-a', status: 'ready' })), 'conflict');
        expect(await store.getDeployment('dep-1')).toStrictEqual(first);
      });

      it('lists a project’s deployments newest first by createdAt', async () => {
        for (const [id, createdAt] of [
          ['dep-mid', '2026-11-25T10:00:01.000Z'],
          ['dep-new', '2026-11-25T10:00:02.000Z'],
          ['dep-old', '2026-11-25T10:00:00.000Z'],
        ] as const) {
          await store.createDeployment(makeDeployment({ id, projectId: 'proj-a', createdAt }));
        }
        expect((await store.listDeployments('proj-a')).map((d) => d.id)).toStrictEqual(['dep-new', 'dep-mid', 'dep-old']);
      });

      it('lists the later-created deployment first when two share a createdAt', async () => {
        const createdAt = '2026-11-25T10:00:00.000Z';
        // ids sort the other way round, so ordering by id would fail this test
        for (const id of ['dep-z', 'dep-m', 'dep-a']) await store.createDeployment(makeDeployment({ id, projectId: 'proj-a', createdAt }));
        expect((await store.listDeployments('proj-a')).map((d) => d.id)).toStrictEqual(['dep-a', 'dep-m', 'dep-z']);
      });

      it('lists only the deployments of the project asked for', async () => {
        await store.createDeployment(makeDeployment({ id: 'dep-a', projectId: 'proj-a' }));
        await store.createDeployment(makeDeployment({ id: 'dep-b', projectId: 'proj-b' }));
        expect((await store.listDeployments('proj-b')).map((d) => d.id)).toStrictEqual(['dep-b']);
        expect(await store.listDeployments('no-such-project')).toStrictEqual([]);
      });

      it('applies a patch to the named fields only and returns what a fresh read returns', async () => {
        const original = makeDeployment({ id: 'dep-1', projectId: 'proj-a', commit: 'c'.repeat(40) });
        await store.createDeployment(original);
        const phases = [{ name: 'starting', startedAt: '2026-11-25T10:00:05.000Z', endedAt: null }] as const;
        const container = { id: 'abc', upstream: 'http://127.0.0.1:40000' };
        const updated = await store.updateDeployment('dep-1', { status: 'starting', phases, container, image: 'img:1' });
        expect(updated).toStrictEqual({ ...original, status: 'starting', phases, container, image: 'img:1' });
        expect(await store.getDeployment('dep-1')).toStrictEqual(updated);
      });

      it('clears nullable deployment fields back to null', async () => {
        await store.createDeployment(
          makeDeployment({ id: 'dep-1', projectId: 'proj-a', error: 'boom', image: 'img:1', container: { id: 'x', upstream: 'http://127.0.0.1:1' } }),
        );
        const updated = await store.updateDeployment('dep-1', { error: null, image: null, container: null });
        expect([updated.error, updated.image, updated.container]).toStrictEqual([null, null, null]);
        expect(await store.getDeployment('dep-1')).toStrictEqual(updated);
      });

      it('rejects an update of an unknown deployment with not_found', async () => {
        await expectPorticoError(store.updateDeployment('no-such-deployment', { status: 'ready' }), 'not_found');
        expect(await store.getDeployment('no-such-deployment')).toBeNull();
      });

      it('applies a conditional update only while the deployment is in the expected status', async () => {
        await store.createDeployment(makeDeployment({ id: 'dep-1', projectId: 'proj-a', status: 'building' }));

        const moved = await store.updateDeployment('dep-1', { status: 'starting', image: 'img:1' }, { ifStatus: 'building' });
        const late = await expectPorticoError(store.updateDeployment('dep-1', { status: 'starting', image: 'img:2' }, { ifStatus: 'building' }), 'conflict');

        expect(moved.status).toBe('starting');
        expect(late.message).toContain('is starting, no longer building');
        expect(await store.getDeployment('dep-1')).toStrictEqual(moved); // the late writer changed nothing
        await expectPorticoError(store.updateDeployment('no-such-deployment', { status: 'ready' }, { ifStatus: 'starting' }), 'not_found');
      });
    });

    describe('logs', () => {
      beforeEach(async () => {
        await store.createProject(makeProject({ id: 'proj-a' }));
        await store.createDeployment(makeDeployment({ id: 'dep-1', projectId: 'proj-a' }));
        await store.createDeployment(makeDeployment({ id: 'dep-2', projectId: 'proj-a' }));
      });

      it('reads an empty log at offset 0 before anything is appended', async () => {
        expect(await store.readLog('dep-1')).toStrictEqual({ text: '', nextOffset: 0 });
      });

      it('reads appended chunks back joined, with nextOffset at the total byte length', async () => {
        await store.appendLog('dep-1', '==> fetching\n');
        await store.appendLog('dep-1', 'Step 1/3 : FROM base\n');
        const all = '==> fetching\nStep 1/3 : FROM base\n';
        expect(await store.readLog('dep-1')).toStrictEqual({ text: all, nextOffset: Buffer.byteLength(all) });
      });

      it('returns only what was appended since the offset a previous read returned', async () => {
        await store.appendLog('dep-1', 'first\n');
        const { nextOffset } = await store.readLog('dep-1', 0);
        expect(await store.readLog('dep-1', nextOffset)).toStrictEqual({ text: '', nextOffset });
        await store.appendLog('dep-1', 'second\n');
        await store.appendLog('dep-1', 'third\n');
        expect(await store.readLog('dep-1', nextOffset)).toStrictEqual({ text: 'second\nthird\n', nextOffset: nextOffset + 13 });
      });

      it('counts offsets in UTF-8 bytes, not characters, across multi-byte text', async () => {
        const chunks = ['héllo ', '👋 世界\n', 'ok ✓'];
        for (const chunk of chunks) await store.appendLog('dep-1', chunk);
        const all = Buffer.from(chunks.join(''), 'utf8');
        const first = await store.readLog('dep-1');
        expect(first).toStrictEqual({ text: chunks.join(''), nextOffset: all.length });
        // every character boundary, including ones inside a chunk, reads the exact byte suffix
        for (let offset = 0; offset <= all.length; offset++) {
          if (offset < all.length && (all[offset]! & 0xc0) === 0x80) continue;
          expect(await store.readLog('dep-1', offset)).toStrictEqual({ text: all.subarray(offset).toString('utf8'), nextOffset: all.length });
        }
      });

      it('reads from an offset in the middle of a chunk', async () => {
        await store.appendLog('dep-1', 'abcdef');
        await store.appendLog('dep-1', 'ghij');
        expect(await store.readLog('dep-1', 3)).toStrictEqual({ text: 'defghij', nextOffset: 10 });
        expect(await store.readLog('dep-1', 8)).toStrictEqual({ text: 'ij', nextOffset: 10 });
      });

      it('survives an offset inside a multi-byte character without producing a broken character', async () => {
        const text = 'a世b👋c';
        await store.appendLog('dep-1', text);
        const bytes = Buffer.byteLength(text);
        for (let offset = 0; offset <= bytes; offset++) {
          const read = await store.readLog('dep-1', offset);
          expect(read.nextOffset).toBe(bytes);
          expect(read.text).not.toContain('\uFFFD');
          expect(text.endsWith(read.text)).toBe(true);
        }
      });

      it('reads nothing past the end and reports the real end', async () => {
        await store.appendLog('dep-1', 'short');
        expect(await store.readLog('dep-1', 1000)).toStrictEqual({ text: '', nextOffset: 5 });
      });

      it('treats appending empty text as appending nothing', async () => {
        await store.appendLog('dep-1', 'ab');
        await store.appendLog('dep-1', '');
        await store.appendLog('dep-1', 'cd');
        expect(await store.readLog('dep-1', 2)).toStrictEqual({ text: 'cd', nextOffset: 4 });
      });

      it('keeps the logs of two deployments apart', async () => {
        await store.appendLog('dep-1', 'one-a ');
        await store.appendLog('dep-2', 'two ');
        await store.appendLog('dep-1', 'one-b');
        expect(await store.readLog('dep-1')).toStrictEqual({ text: 'one-a one-b', nextOffset: 11 });
        expect(await store.readLog('dep-2')).toStrictEqual({ text: 'two ', nextOffset: 4 });
      });
    });

    describe('deleting a project', () => {
      it('removes its deployments and their logs, and leaves other projects alone', async () => {
        await store.createProject(makeProject({ id: 'gone' }));
        await store.createProject(makeProject({ id: 'kept' }));
        await store.createDeployment(makeDeployment({ id: 'gone-1', projectId: 'gone' }));
        await store.createDeployment(makeDeployment({ id: 'kept-1', projectId: 'kept' }));
        await store.appendLog('gone-1', 'old log');
        await store.appendLog('kept-1', 'kept log');

        await store.deleteProject('gone');

        expect(await store.getProject('gone')).toBeNull();
        expect(await store.getDeployment('gone-1')).toBeNull();
        expect(await store.listDeployments('gone')).toStrictEqual([]);
        expect((await store.listProjects()).map((p) => p.id)).toStrictEqual(['kept']);
        expect(await store.readLog('kept-1')).toStrictEqual({ text: 'kept log', nextOffset: 8 });

        // a project and deployment reusing the ids start from a clean log
        await store.createProject(makeProject({ id: 'gone' }));
        await store.createDeployment(makeDeployment({ id: 'gone-1', projectId: 'gone' }));
        expect(await store.readLog('gone-1')).toStrictEqual({ text: '', nextOffset: 0 });
      });
    });
  });
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

async function expectPorticoError(promise: Promise<unknown>, code: ErrorCode): Promise<PorticoError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, `expected a PorticoError "${code}", but the call succeeded`).toBeInstanceOf(PorticoError);
  expect((error as PorticoError).code).toBe(code);
  return error as PorticoError;
}
