import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DemoCard } from '../../domain/demo-card.ts';
import type { ContainerRef, Deployment, DeploymentStatus, GpuSetting, Phase, Placement, Project, SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import { type ProjectStore, statusConflict } from '../../ports/project-store.ts';

/**
 * Schema changes, in order. Entry `i` takes a database from `user_version` i to i + 1.
 * Append to this list to change the schema; never edit an entry that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    branch TEXT NOT NULL,
    dockerfile TEXT NOT NULL,
    context TEXT NOT NULL,
    gpu TEXT NOT NULL,
    env TEXT NOT NULL,
    idle_timeout_seconds INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    current_deployment_id TEXT
  ) STRICT;

  CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    commit_sha TEXT,
    phases TEXT NOT NULL,
    error TEXT,
    image TEXT,
    container TEXT,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX deployments_by_project ON deployments (project_id, created_at);

  CREATE TABLE deployment_logs (
    deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (deployment_id, seq)
  ) STRICT;
  CREATE INDEX deployment_logs_by_offset ON deployment_logs (deployment_id, byte_offset);
  `,
  `ALTER TABLE deployments ADD COLUMN placement TEXT;`,
  `ALTER TABLE projects ADD COLUMN secrets TEXT NOT NULL DEFAULT '{}';`,
  `
  ALTER TABLE projects ADD COLUMN port INTEGER;
  ALTER TABLE projects ADD COLUMN startup_timeout_seconds INTEGER;
  ALTER TABLE deployments ADD COLUMN port INTEGER;
  ALTER TABLE deployments ADD COLUMN port_reason TEXT;
  ALTER TABLE deployments ADD COLUMN card TEXT;
  `,
];

/** The schema version this code writes; a database at this version is opened without migrating. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface ProjectRow {
  id: string;
  source: string;
  branch: string;
  dockerfile: string;
  context: string;
  gpu: string;
  env: string;
  secrets: string;
  idle_timeout_seconds: number;
  port: number | null;
  startup_timeout_seconds: number | null;
  created_at: string;
  current_deployment_id: string | null;
}

interface DeploymentRow {
  id: string;
  project_id: string;
  status: string;
  commit_sha: string | null;
  phases: string;
  error: string | null;
  image: string | null;
  container: string | null;
  placement: string | null;
  port: number | null;
  port_reason: string | null;
  card: string | null;
  created_at: string;
}

interface LogChunkRow {
  byte_offset: number;
  text: string;
}

/** The embedded store: one SQLite file (or `:memory:`), safe to share with other processes thanks to WAL and a busy timeout. */
export function createSqliteStore(file: string): ProjectStore & { close(): void } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }

  const sql = {
    insertProject: db.prepare<ProjectRow>(
      `INSERT INTO projects (id, source, branch, dockerfile, context, gpu, env, secrets, idle_timeout_seconds, port, startup_timeout_seconds, created_at, current_deployment_id)
       VALUES (@id, @source, @branch, @dockerfile, @context, @gpu, @env, @secrets, @idle_timeout_seconds, @port, @startup_timeout_seconds, @created_at, @current_deployment_id)`,
    ),
    replaceProject: db.prepare<ProjectRow>(
      `UPDATE projects SET source = @source, branch = @branch, dockerfile = @dockerfile, context = @context, gpu = @gpu, env = @env,
         secrets = @secrets, idle_timeout_seconds = @idle_timeout_seconds, port = @port, startup_timeout_seconds = @startup_timeout_seconds, created_at = @created_at, current_deployment_id = @current_deployment_id
       WHERE id = @id`,
    ),
    getProject: db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE id = ?'),
    listProjects: db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY created_at, rowid'),
    deleteProject: db.prepare<[string]>('DELETE FROM projects WHERE id = ?'),

    insertDeployment: db.prepare<DeploymentRow>(
      `INSERT INTO deployments (id, project_id, status, commit_sha, phases, error, image, container, placement, port, port_reason, card, created_at)
       VALUES (@id, @project_id, @status, @commit_sha, @phases, @error, @image, @container, @placement, @port, @port_reason, @card, @created_at)`,
    ),
    replaceDeployment: db.prepare<DeploymentRow>(
      `UPDATE deployments SET status = @status, commit_sha = @commit_sha, phases = @phases, error = @error, image = @image,
         container = @container, placement = @placement, port = @port, port_reason = @port_reason, card = @card, created_at = @created_at
       WHERE id = @id`,
    ),
    getDeployment: db.prepare<[string], DeploymentRow>('SELECT * FROM deployments WHERE id = ?'),
    // rowid breaks ties between deployments created in the same millisecond: later insert = newer.
    listDeployments: db.prepare<[string], DeploymentRow>('SELECT * FROM deployments WHERE project_id = ? ORDER BY created_at DESC, rowid DESC'),

    lastLogChunk: db.prepare<[string], LogChunkRow & { seq: number }>(
      'SELECT seq, byte_offset, text FROM deployment_logs WHERE deployment_id = ? ORDER BY seq DESC LIMIT 1',
    ),
    insertLogChunk: db.prepare<[string, number, number, string]>(
      'INSERT INTO deployment_logs (deployment_id, seq, byte_offset, text) VALUES (?, ?, ?, ?)',
    ),
    // The chunk holding `offset` and every chunk after it (or just the last chunk when offset is past the end).
    logChunksFrom: db.prepare<{ id: string; offset: number }, LogChunkRow>(
      `SELECT byte_offset, text FROM deployment_logs
       WHERE deployment_id = @id
         AND byte_offset >= coalesce((SELECT max(byte_offset) FROM deployment_logs WHERE deployment_id = @id AND byte_offset <= @offset), 0)
       ORDER BY seq`,
    ),
  };

  const updateProject = db.transaction((id: string, patch: Partial<Omit<Project, 'id'>>): Project => {
    const row = sql.getProject.get(id);
    if (!row) throw new PorticoError('not_found', `no project "${id}"; list projects to see which exist`);
    const updated: Project = { ...toProject(row), ...definedOnly(patch), id };
    sql.replaceProject.run(fromProject(updated));
    return updated;
  });

  const updateDeployment = db.transaction((id: string, patch: Partial<Omit<Deployment, 'id' | 'projectId'>>, ifStatus: DeploymentStatus | undefined): Deployment => {
    const row = sql.getDeployment.get(id);
    if (!row) throw new PorticoError('not_found', `no deployment "${id}"; list the project's deployments to see which exist`);
    const current = toDeployment(row);
    if (ifStatus !== undefined && current.status !== ifStatus) throw statusConflict(id, ifStatus, current.status);
    const updated: Deployment = { ...current, ...definedOnly(patch), id, projectId: current.projectId };
    sql.replaceDeployment.run(fromDeployment(updated));
    return updated;
  });

  const appendLog = db.transaction((deploymentId: string, text: string): void => {
    const last = sql.lastLogChunk.get(deploymentId);
    const seq = last ? last.seq + 1 : 0;
    const offset = last ? last.byte_offset + Buffer.byteLength(last.text) : 0;
    sql.insertLogChunk.run(deploymentId, seq, offset, text);
  });

  return {
    async createProject(project) {
      try {
        sql.insertProject.run(fromProject(project));
      } catch (error) {
        if (isConstraint(error, 'PRIMARYKEY')) {
          throw new PorticoError('conflict', `a project "${project.id}" already exists; update or delete it instead`, { cause: error });
        }
        throw error;
      }
    },

    async getProject(id) {
      const row = sql.getProject.get(id);
      return row ? toProject(row) : null;
    },

    async listProjects() {
      return sql.listProjects.all().map(toProject);
    },

    async updateProject(id, patch) {
      return updateProject.immediate(id, patch);
    },

    async deleteProject(id) {
      // ON DELETE CASCADE removes the deployments, and theirs removes the logs.
      sql.deleteProject.run(id);
    },

    async createDeployment(deployment) {
      try {
        sql.insertDeployment.run(fromDeployment(deployment));
      } catch (error) {
        if (isConstraint(error, 'PRIMARYKEY')) {
          throw new PorticoError('conflict', `a deployment "${deployment.id}" already exists; deployments are never overwritten`, { cause: error });
        }
        if (isConstraint(error, 'FOREIGNKEY')) {
          throw new PorticoError('not_found', `no project "${deployment.projectId}" to deploy; create the project first`, { cause: error });
        }
        throw error;
      }
    },

    async getDeployment(id) {
      const row = sql.getDeployment.get(id);
      return row ? toDeployment(row) : null;
    },

    async listDeployments(projectId) {
      return sql.listDeployments.all(projectId).map(toDeployment);
    },

    async updateDeployment(id, patch, options) {
      return updateDeployment.immediate(id, patch, options?.ifStatus);
    },

    async appendLog(deploymentId, text) {
      if (text === '') return; // nothing to store; keeps every chunk's byte_offset distinct
      try {
        appendLog.immediate(deploymentId, text);
      } catch (error) {
        if (isConstraint(error, 'FOREIGNKEY')) {
          throw new PorticoError('not_found', `no deployment "${deploymentId}" to log to`, { cause: error });
        }
        throw error;
      }
    },

    async readLog(deploymentId, offset = 0) {
      const from = Number.isFinite(offset) && offset > 0 ? Math.floor(offset) : 0;
      const chunks = sql.logChunksFrom.all({ id: deploymentId, offset: from });
      const first = chunks[0];
      if (!first) return { text: '', nextOffset: 0 };
      const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.text, 'utf8')));
      const start = nextCharBoundary(bytes, Math.min(from - first.byte_offset, bytes.length));
      return { text: bytes.subarray(start).toString('utf8'), nextOffset: first.byte_offset + bytes.length };
    },

    close() {
      db.close();
    },
  };
}

/** Brings the file up to SQLITE_SCHEMA_VERSION, each step in its own transaction; refuses files from a newer Portico. */
function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new PorticoError(
      'conflict',
      `the database ${file} has schema version ${version}, but this Portico only knows up to ${MIGRATIONS.length}; upgrade Portico or point it at another data directory`,
    );
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]!);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
}

/**
 * Skips UTF-8 continuation bytes, so an offset inside a multi-byte character starts at the
 * next whole character instead of decoding half of one into U+FFFD.
 */
function nextCharBoundary(bytes: Buffer, index: number): number {
  let i = index;
  while (i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
  return i;
}

/** A patch `{ image: undefined }` means "leave image alone", not "set it to undefined". */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function isConstraint(error: unknown, kind: 'PRIMARYKEY' | 'FOREIGNKEY'): boolean {
  return error instanceof Database.SqliteError && error.code === `SQLITE_CONSTRAINT_${kind}`;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    source: JSON.parse(row.source) as SourceSpec,
    branch: row.branch,
    dockerfile: row.dockerfile,
    context: row.context,
    gpu: JSON.parse(row.gpu) as GpuSetting,
    env: JSON.parse(row.env) as Record<string, string>,
    secrets: JSON.parse(row.secrets) as Record<string, string>,
    idleTimeoutSeconds: row.idle_timeout_seconds,
    port: row.port,
    startupTimeoutSeconds: row.startup_timeout_seconds,
    createdAt: row.created_at,
    currentDeploymentId: row.current_deployment_id,
  };
}

function fromProject(project: Project): ProjectRow {
  return {
    id: project.id,
    source: JSON.stringify(project.source),
    branch: project.branch,
    dockerfile: project.dockerfile,
    context: project.context,
    gpu: JSON.stringify(project.gpu),
    env: JSON.stringify(project.env),
    secrets: JSON.stringify(project.secrets),
    idle_timeout_seconds: project.idleTimeoutSeconds,
    port: project.port,
    startup_timeout_seconds: project.startupTimeoutSeconds,
    created_at: project.createdAt,
    current_deployment_id: project.currentDeploymentId,
  };
}

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    projectId: row.project_id,
    status: row.status as DeploymentStatus,
    commit: row.commit_sha,
    phases: JSON.parse(row.phases) as Phase[],
    error: row.error,
    image: row.image,
    container: row.container === null ? null : (JSON.parse(row.container) as ContainerRef),
    placement: row.placement === null ? null : (JSON.parse(row.placement) as Placement),
    port: row.port,
    portReason: row.port_reason,
    card: row.card === null ? null : (JSON.parse(row.card) as DemoCard),
    createdAt: row.created_at,
  };
}

function fromDeployment(deployment: Deployment): DeploymentRow {
  return {
    id: deployment.id,
    project_id: deployment.projectId,
    status: deployment.status,
    commit_sha: deployment.commit,
    phases: JSON.stringify(deployment.phases),
    error: deployment.error,
    image: deployment.image,
    container: deployment.container === null ? null : JSON.stringify(deployment.container),
    placement: deployment.placement === null ? null : JSON.stringify(deployment.placement),
    port: deployment.port,
    port_reason: deployment.portReason,
    card: deployment.card === null ? null : JSON.stringify(deployment.card),
    created_at: deployment.createdAt,
  };
}
