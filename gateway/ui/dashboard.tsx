import { Hono } from 'hono';
import type { ApiDeps } from '../api/routes.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import type { Deployment } from '../domain/types.ts';
import { isPorticoError } from '../errors.ts';
import type { MinutePoint } from '../services/minute-series.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { GpuHolder } from '../services/scaler.ts';
import { ApiPage } from './api-page.tsx';
import { DEPLOY_BADGE_SVG } from './badge-svg.ts';
import { DeployPage } from './deploy-page.tsx';
import { GpuPage } from './gpu-page.tsx';
import { streamBuildLog } from './log-stream.ts';
import { NotFoundPage } from './not-found-page.tsx';
import { ProjectListPage } from './project-list-page.tsx';
import { PhaseTimeline } from './phase-timeline.tsx';
import { ProjectPage } from './project-page.tsx';
import { type ContainerLogs, readRuntimeLog } from './runtime-log.tsx';
import { StatusBadge } from './status-badge.tsx';

export interface DashboardDeps extends Pick<ApiDeps, 'projects' | 'endpointUrl' | 'runtimeOf'> {
  /** How often a streamed build log looks for new lines. */
  readonly logPollIntervalMs?: number;
  /** For the duration of a phase still under way. */
  readonly now?: () => Date;
  /** The runtime's `logs`: a container's last lines. Absent: the page says it cannot read them. */
  readonly containerLogs?: ContainerLogs;
  /** Requests and wakes per minute over the last hour (metrics' `history`). Absent: empty charts. */
  readonly historyOf?: (projectId: string) => readonly MinutePoint[];
  /** The GPU pools in use and the scaler's `gpuHolders`, for `/gpus`. Absent: no pool. */
  readonly gpus?: { readonly pools: readonly GpuPool[]; readonly holders: () => Promise<readonly GpuHolder[]> };
  /** With TLS on: a line on the project's certificate (valid until…, or why there is none). */
  readonly certificateOf?: (projectId: string) => string;
}

const DEFAULT_LOG_POLL_INTERVAL_MS = 300;

/** The server-rendered dashboard on the gateway's own host: `/`, `/deploy`, `/gpus`, `/projects/:id` and its `/api` tab. */
export function createDashboard(deps: DashboardDeps): Hono {
  const { projects, endpointUrl, runtimeOf, containerLogs, historyOf = () => [], gpus, logPollIntervalMs = DEFAULT_LOG_POLL_INTERVAL_MS, now = () => new Date(), certificateOf } = deps;
  const ui = new Hono();

  /** The project, or null when there is none of that id (every other error is the app's to report). */
  const findProject = (id: string): Promise<ProjectDetails | null> =>
    projects.get(id).catch((error: unknown) => {
      if (isPorticoError(error) && error.code === 'not_found') return null;
      throw error;
    });

  ui.get('/', async (c) => {
    const rows = (await projects.list()).map((details) => ({ details, endpoint: endpointUrl(details.project.id), runtime: runtimeOf(details.project.id) }));
    return c.html(<ProjectListPage rows={rows} />);
  });

  ui.get('/deploy', (c) => c.html(<DeployPage repo={c.req.query('repo') ?? ''} branch={c.req.query('branch') ?? ''} />));

  ui.get('/gpus', async (c) => c.html(<GpuPage pools={gpus?.pools ?? []} holders={(await gpus?.holders()) ?? []} />));

  ui.get('/projects/:id', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    const runtimeLog = await readRuntimeLog(details.currentDeployment?.container, containerLogs);
    return c.html(<ProjectPage details={details} endpoint={endpointUrl(id)} runtime={runtimeOf(id)} now={now()} runtimeLog={runtimeLog} history={historyOf(id)} certificate={certificateOf?.(id)} />);
  });

  ui.get('/projects/:id/api', async (c) => {
    const id = c.req.param('id');
    if ((await findProject(id)) === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    return c.html(<ApiPage projectId={id} endpoint={endpointUrl(id)} />);
  });

  /** The runtime log as plain text, for the project page's refresh. */
  ui.get('/ui/projects/:id/runtime-log', async (c) => {
    const details = await projects.get(c.req.param('id')); // unknown: the app's 404
    return c.text(await readRuntimeLog(details.currentDeployment?.container, containerLogs), 200, { 'cache-control': 'no-store' });
  });

  /** The project page swaps these server-rendered fragments in as the deployment moves on. */
  const describe = async (deployment: Deployment) => ({
    status: deployment.status,
    badge: await (<StatusBadge status={deployment.status} />).toString(),
    timeline: await (<PhaseTimeline phases={deployment.phases} now={now()} />).toString(),
  });
  ui.get('/ui/deployments/:id/log', (c) => streamBuildLog(c, projects, c.req.param('id'), { pollIntervalMs: logPollIntervalMs, describe }));

  ui.get('/badge.svg', (c) => c.body(DEPLOY_BADGE_SVG, 200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'public, max-age=86400' }));

  return ui;
}
