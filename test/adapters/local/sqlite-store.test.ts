import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION, createSqliteStore } from '../../../gateway/adapters/local/sqlite-store.ts';
import type { Deployment, Project } from '../../../gateway/domain/types.ts';
import { PorticoError } from '../../../gateway/errors.ts';
import { projectStoreContract } from '../../ports/project-store.contract.ts';

const root = mkdtempSync(join(tmpdir(), 'portico-sqlite-'));
const opened: { close(): void }[] = [];
let files = 0;

/** A store on a fresh file; closed after each test so no file handle outlives it. */
function openStore(file = join(root, `store-${files++}.db`)) {
  const store = createSqliteStore(file);
  opened.push(store);
  return store;
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

projectStoreContract('SQLite file', () => openStore());
projectStoreContract('SQLite :memory:', () => openStore(':memory:'));

const project: Project = {
  id: 'main-gpt2-acme',
  source: { kind: 'git', url: 'git://127.0.0.1/acme/gpt2.git', owner: 'acme', repo: 'gpt2' },
  branch: 'main',
  dockerfile: 'docker/Dockerfile',
  context: 'docker',
  gpu: 1,
  env: { MODEL: 'gpt2 ✓' },
  secrets: { HF_TOKEN: 'hf_secret ✓' },
  idleTimeoutSeconds: 300,
  port: 7860,
  startupTimeoutSeconds: 900,
  createdAt: '2026-11-25T09:00:00.000Z',
  currentDeploymentId: 'dep-1',
};

const deployment: Deployment = {
  id: 'dep-1',
  projectId: project.id,
  status: 'ready',
  placement: null,
  commit: 'f'.repeat(40),
  phases: [{ name: 'starting', startedAt: '2026-11-25T09:01:00.000Z', endedAt: '2026-11-25T09:01:02.000Z' }],
  error: null,
  image: 'portico/main-gpt2-acme:fffffff',
  container: { id: 'c1', upstream: 'http://127.0.0.1:32768', port: 8501 },
  port: 8501,
  portReason: 'listens on 8501, not the EXPOSEd 80',
  card: { title: 'Story ✓', emoji: '📖', description: null, sdk: 'docker', appPort: null },
  createdAt: '2026-11-25T09:00:30.000Z',
};

/** Reads the file behind the store's back, the way an operator with the sqlite3 CLI would. */
function inspect<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('createSqliteStore', () => {
  it('creates the missing parent directories of the database file', () => {
    const file = join(root, 'nested', 'data', 'portico.db');
    openStore(file);
    expect(existsSync(file)).toBe(true);
  });

  it('keeps projects, deployments and logs across close and reopen of the same file', async () => {
    const file = join(root, 'reopen.db');
    const first = createSqliteStore(file);
    await first.createProject(project);
    await first.createDeployment(deployment);
    await first.appendLog('dep-1', 'built ✓\n');
    first.close();

    const second = openStore(file);
    expect(await second.getProject(project.id)).toStrictEqual(project);
    expect(await second.getDeployment('dep-1')).toStrictEqual(deployment);
    expect(await second.readLog('dep-1')).toStrictEqual({ text: 'built ✓\n', nextOffset: 10 });
    // appending after a reopen continues the byte offsets where they left off
    await second.appendLog('dep-1', 'more');
    expect(await second.readLog('dep-1', 10)).toStrictEqual({ text: 'more', nextOffset: 14 });
  });

  it('records the schema version in user_version and switches the file to WAL', () => {
    const file = join(root, 'version.db');
    openStore(file).close();
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_SCHEMA_VERSION);
    expect(inspect(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('does not re-run migrations on a file already at the current schema version', async () => {
    const file = join(root, 'no-remigrate.db');
    const first = createSqliteStore(file);
    await first.createProject(project);
    first.close();
    // Remove something the first migration creates but no statement needs: a re-run would put it back
    // (and would fail outright on CREATE TABLE projects).
    inspect(file, (db) => db.exec('DROP INDEX deployment_logs_by_offset'));

    const second = openStore(file);
    expect(await second.getProject(project.id)).toStrictEqual(project);
    second.close();
    const index = inspect(file, (db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'deployment_logs_by_offset'").get());
    expect(index).toBeUndefined();
  });

  it('migrates a file from before secrets existed, giving its projects no secrets', async () => {
    const file = join(root, 'before-secrets.db');
    const { secrets: _secrets, port: _port, startupTimeoutSeconds: _timeout, ...withoutSecrets } = project;
    // What the previous Portico wrote: schema version 2, no secrets column.
    inspect(file, (db) => {
      db.exec(`CREATE TABLE projects (id TEXT PRIMARY KEY, source TEXT NOT NULL, branch TEXT NOT NULL, dockerfile TEXT NOT NULL, context TEXT NOT NULL,
        gpu TEXT NOT NULL, env TEXT NOT NULL, idle_timeout_seconds INTEGER NOT NULL, created_at TEXT NOT NULL, current_deployment_id TEXT) STRICT;
        CREATE TABLE deployments (id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE, status TEXT NOT NULL, commit_sha TEXT,
        phases TEXT NOT NULL, error TEXT, image TEXT, container TEXT, created_at TEXT NOT NULL, placement TEXT) STRICT;
        CREATE TABLE deployment_logs (deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE, seq INTEGER NOT NULL, byte_offset INTEGER NOT NULL,
        text TEXT NOT NULL, PRIMARY KEY (deployment_id, seq)) STRICT;`);
      db.prepare('INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        withoutSecrets.id, JSON.stringify(withoutSecrets.source), withoutSecrets.branch, withoutSecrets.dockerfile, withoutSecrets.context,
        JSON.stringify(withoutSecrets.gpu), JSON.stringify(withoutSecrets.env), withoutSecrets.idleTimeoutSeconds, withoutSecrets.createdAt, withoutSecrets.currentDeploymentId,
      );
      db.pragma('user_version = 2');
    });
    const store = openStore(file);
    expect(await store.getProject(project.id)).toStrictEqual({ ...withoutSecrets, secrets: {}, port: null, startupTimeoutSeconds: null });
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_SCHEMA_VERSION);
  });

  it('migrates a file from before ports were kept: its projects use the defaults, its deployments keep everything else', async () => {
    const file = join(root, 'before-ports.db');
    // What the previous Portico wrote: schema version 3 (secrets, no port columns), with a serving deployment and its log.
    const v3 = createSqliteStore(file);
    v3.close();
    inspect(file, (db) => {
      db.exec(`DROP TABLE deployment_logs; DROP TABLE deployments; DROP TABLE projects;
        CREATE TABLE projects (id TEXT PRIMARY KEY, source TEXT NOT NULL, branch TEXT NOT NULL, dockerfile TEXT NOT NULL, context TEXT NOT NULL,
        gpu TEXT NOT NULL, env TEXT NOT NULL, idle_timeout_seconds INTEGER NOT NULL, created_at TEXT NOT NULL, current_deployment_id TEXT,
        secrets TEXT NOT NULL DEFAULT '{}') STRICT;
        CREATE TABLE deployments (id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE, status TEXT NOT NULL, commit_sha TEXT,
        phases TEXT NOT NULL, error TEXT, image TEXT, container TEXT, created_at TEXT NOT NULL, placement TEXT) STRICT;
        CREATE TABLE deployment_logs (deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE, seq INTEGER NOT NULL, byte_offset INTEGER NOT NULL,
        text TEXT NOT NULL, PRIMARY KEY (deployment_id, seq)) STRICT;`);
      db.prepare('INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        project.id, JSON.stringify(project.source), project.branch, project.dockerfile, project.context,
        JSON.stringify(project.gpu), JSON.stringify(project.env), project.idleTimeoutSeconds, project.createdAt, project.currentDeploymentId, JSON.stringify(project.secrets),
      );
      db.prepare('INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        deployment.id, deployment.projectId, deployment.status, deployment.commit, JSON.stringify(deployment.phases), deployment.error, deployment.image,
        JSON.stringify({ id: 'c1', upstream: 'http://127.0.0.1:32768' }), deployment.createdAt, null,
      );
      db.prepare('INSERT INTO deployment_logs VALUES (?, ?, ?, ?)').run(deployment.id, 0, 0, 'built\n');
      db.pragma('user_version = 3');
    });

    const store = openStore(file);
    expect(await store.getProject(project.id)).toStrictEqual({ ...project, port: null, startupTimeoutSeconds: null });
    expect(await store.getDeployment(deployment.id)).toStrictEqual({
      ...deployment,
      container: { id: 'c1', upstream: 'http://127.0.0.1:32768' },
      port: null,
      portReason: null,
      card: null,
    });
    expect(await store.readLog(deployment.id)).toStrictEqual({ text: 'built\n', nextOffset: 6 });
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_SCHEMA_VERSION);

    // The new columns take writes after the migration.
    await store.updateProject(project.id, { port: 8501, startupTimeoutSeconds: 1200 });
    await store.updateDeployment(deployment.id, { port: 8501, portReason: 'listens on 8501, not the EXPOSEd 80', card: deployment.card });
    expect(await store.getProject(project.id)).toMatchObject({ port: 8501, startupTimeoutSeconds: 1200 });
    expect(await store.getDeployment(deployment.id)).toMatchObject({ port: 8501, portReason: 'listens on 8501, not the EXPOSEd 80', card: deployment.card });
  });

  it('refuses a file written by a newer schema version and leaves it untouched', () => {
    const file = join(root, 'newer.db');
    inspect(file, (db) => db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`));
    let thrown: unknown;
    try {
      openStore(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PorticoError);
    expect((thrown as PorticoError).code).toBe('conflict');
    expect((thrown as PorticoError).message).toMatch(/upgrade Portico/);
    expect(inspect(file, (db) => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get())).toStrictEqual({ n: 0 });
  });

  it('lets two stores on the same file see each other’s writes', async () => {
    const file = join(root, 'shared.db');
    const writer = openStore(file);
    const reader = openStore(file);
    await writer.createProject(project);
    await writer.createDeployment(deployment);
    await writer.appendLog('dep-1', 'from writer');
    expect(await reader.getProject(project.id)).toStrictEqual(project);
    await reader.appendLog('dep-1', ' + reader');
    expect(await writer.readLog('dep-1')).toStrictEqual({ text: 'from writer + reader', nextOffset: 20 });
  });

  it('rejects a deployment of an unknown project with not_found', async () => {
    const store = openStore();
    await expect(store.createDeployment(deployment)).rejects.toMatchObject({ name: 'PorticoError', code: 'not_found' });
  });

  it('rejects a log line for an unknown deployment with not_found', async () => {
    const store = openStore();
    await expect(store.appendLog('no-such-deployment', 'x')).rejects.toMatchObject({ name: 'PorticoError', code: 'not_found' });
  });

  it('reads an empty log for an unknown deployment instead of failing', async () => {
    const store = openStore();
    expect(await store.readLog('no-such-deployment', 5)).toStrictEqual({ text: '', nextOffset: 0 });
  });

  it('treats a negative or fractional offset as the nearest byte at or after 0', async () => {
    const store = openStore();
    await store.createProject(project);
    await store.createDeployment(deployment);
    await store.appendLog('dep-1', 'abc');
    expect(await store.readLog('dep-1', -4)).toStrictEqual({ text: 'abc', nextOffset: 3 });
    expect(await store.readLog('dep-1', 1.5)).toStrictEqual({ text: 'bc', nextOffset: 3 });
    expect(await store.readLog('dep-1', Number.NaN)).toStrictEqual({ text: 'abc', nextOffset: 3 });
  });

  it('starts at the next whole character when the offset lands inside one', async () => {
    const store = openStore();
    await store.createProject(project);
    await store.createDeployment(deployment);
    await store.appendLog('dep-1', 'a世b'); // 世 is bytes 1..3
    expect(await store.readLog('dep-1', 2)).toStrictEqual({ text: 'b', nextOffset: 5 });
  });
});
