import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX } from '../support/demo-app.ts';
import { removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';
import { leftoversOnEngine } from '../support/leftovers.ts';

const { docker, where } = testDocker();

/** Runs vitest on one test file with the suite's own global set-up, as `npm test` would; returns its exit code and output. */
function vitestOn(dir: string, file: string): Promise<{ code: number; output: string }> {
  const { PORTICO_LEFTOVER_CHECK: _mode, ...env } = process.env; // the check as `npm test` runs it, whatever this run's mode
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve('node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs'), file],
      { cwd: process.cwd(), env: { ...env, FORCE_COLOR: '0' }, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('the leftover check after a test run', () => {
  const project = uniqueProjectId('leftover-check');
  let dir: string;

  beforeAll(async () => {
    await requireDocker(docker, where);
    dir = await mkdtemp(join(tmpdir(), 'portico-leftover-'));
    await writeFile(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['*.check.ts'], globalSetup: [${JSON.stringify(resolve('test/global-setup.ts'))}] } };\n`);
    // A suite that forgets its afterAll: one container and one image of a test project.
    await writeFile(
      join(dir, 'leaves.check.ts'),
      `import { execFileSync } from 'node:child_process';
import { it } from 'vitest';
it('makes a container and an image and leaves them', () => {
  execFileSync('docker', ['create', '--label', 'portico.project=${project}', '--name', 'portico-${project}', '${BUSYBOX}', 'true']);
  execFileSync('docker', ['build', '-q', '-t', 'portico/${project}:left', '--label', 'portico.project=${project}', '-'], { input: 'FROM ${BUSYBOX}\\nRUN echo ${project} > /left\\n' });
});
`,
    );
    await writeFile(join(dir, 'clean.check.ts'), "import { expect, it } from 'vitest';\nit('leaves nothing', () => expect(1).toBe(1));\n");
  });

  afterAll(async () => {
    await removeProjects(docker, [project]);
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the run, listing the container and image the suite left', async () => {
    const run = await vitestOn(dir, 'leaves.check.ts');
    expect(run.output).toContain('1 passed');
    expect(run.code).toBe(1);
    expect(run.output).toContain('FAIL leftover check: the test run left');
    expect(run.output).toMatch(new RegExp(`container portico-${project} \\(project ${project}, created\\): docker rm -f [0-9a-f]{12}`));
    expect(run.output).toMatch(new RegExp(`image portico/${project}:left \\(project ${project}\\): docker rmi -f [0-9a-f]{12}`));
  });

  it('passes a run that made nothing, even with those objects still on the engine from before it', async () => {
    const run = await vitestOn(dir, 'clean.check.ts');
    expect(run.output).toContain('1 passed');
    expect(run.output).not.toContain(project);
    // Where another test run shares this engine (developers' machines), its objects may be listed; CI runs alone.
    const others = run.output.split('\n').filter((line) => /^\s+(container|image) /.test(line));
    if (others.length === 0) expect(run.code).toBe(0);
    else expect(run.output).toContain('FAIL leftover check');
  });

  it('finds nothing of this project once it is removed', async () => {
    await removeProjects(docker, [project]);
    const left = await leftoversOnEngine(docker, new Set());
    expect(left.filter((line) => line.includes(project))).toStrictEqual([]);
  });
});
