import { Hono } from 'hono';
import type { ApiDeps } from '../api/routes.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import type { Deployment } from '../domain/types.ts';
import { isPorticoError } from '../errors.ts';
import type { MinutePoint } from '../services/minute-series.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { GpuHolder } from '../services/scaler.ts';
import { tokenSha256 as tokenSha256Of } from '../api/auth.ts';
import { createDashboardActions } from './action-routes.tsx';
import { ansiToHtml } from './ansi.ts';
import { DeletePage } from './delete-page.tsx';
import { DeploymentPage } from './deployment-page.tsx';
import { HistoryPage, canRollBackTo } from './history-page.tsx';
import { noticeKind } from './notice.tsx';
import { draftOf } from './settings-form.ts';
import { SettingsPage } from './settings-page.tsx';
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

export interface DashboardDeps extends Pick<ApiDeps, 'projects' | 'endpointUrl' | 'runtimeOf' | 'apiToken' | 'apiTokenSha256'> {
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

/**
 * The server-rendered dashboard on the gateway's own host: `/`, `/deploy`, `/gpus`, `/projects/:id`
 * and its tabs (history, settings, API), one deployment's page, and the action forms.
 */
export function createDashboard(deps: DashboardDeps): Hono {
  const { projects, endpointUrl, runtimeOf, containerLogs, historyOf = () => [], gpus, logPollIntervalMs = DEFAULT_LOG_POLL_INTERVAL_MS, now = () => new Date(), certificateOf } = deps;
  const tokenSha256 = deps.apiTokenSha256 ?? (deps.apiToken === undefined ? undefined : tokenSha256Of(deps.apiToken));
  const tokenRequired = tokenSha256 !== undefined;
  const ui = new Hono();
  ui.route('/', createDashboardActions({ projects, tokenSha256 }));

  /** The project, or null when there is none of that id (every other error is the app's to report). */
  const findProject = (id: string): Promise<ProjectDetails | null> =>
    projects.get(id).catch((error: unknown) => {
      if (isPorticoError(error) && error.code === 'not_found') return null;
      throw error;
    });

  ui.get('/', async (c) => {
    const rows = (await projects.list()).map((details) => ({ details, endpoint: endpointUrl(details.project.id), runtime: runtimeOf(details.project.id) }));
    return c.html(<ProjectListPage rows={rows} now={now()} notice={noticeKind(c.req.query('done'))} />);
  });

  ui.get('/deploy', (c) => c.html(<DeployPage repo={c.req.query('repo') ?? ''} branch={c.req.query('branch') ?? ''} />));

  ui.get('/gpus', async (c) => c.html(<GpuPage pools={gpus?.pools ?? []} holders={(await gpus?.holders()) ?? []} />));

  ui.get('/projects/:id', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    const runtimeLog = await readRuntimeLog(details.project.id, details.currentDeployment?.container, containerLogs);
    return c.html(
      <ProjectPage
        details={details}
        endpoint={endpointUrl(id)}
        runtime={runtimeOf(id)}
        now={now()}
        runtimeLog={runtimeLog}
        history={historyOf(id)}
        certificate={certificateOf?.(id)}
        tokenRequired={tokenRequired}
        notice={noticeKind(c.req.query('done'))}
      />,
    );
  });

  ui.get('/projects/:id/history', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    const deployments = await projects.listDeployments(id);
    const pruned = new Set<string>();
    for (const deployment of deployments) {
      if (canRollBackTo(details.project, deployment) && (await projects.imageKept(deployment.image!).catch(() => null)) === false) pruned.add(deployment.id);
    }
    return c.html(
      <HistoryPage
        project={details.project}
        deployments={deployments}
        now={now()}
        tokenRequired={tokenRequired}
        notice={noticeKind(c.req.query('done'))}
        pruned={pruned}
        rollbackAvailable={projects.canRollBack()}
      />,
    );
  });

  ui.get('/projects/:id/deployments/:deploymentId', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    const deployment = details && (await projects.getDeployment(c.req.param('deploymentId')).catch(() => null));
    if (details === null || !deployment || deployment.projectId !== id) return c.html(<NotFoundPage what={`Deployment "${c.req.param('deploymentId')}" of project "${id}"`} />, 404);
    const { text } = await projects.readLog(deployment.id, 0);
    const pruned = canRollBackTo(details.project, deployment) && (await projects.imageKept(deployment.image!).catch(() => null)) === false;
    return c.html(<DeploymentPage project={details.project} deployment={deployment} log={text} now={now()} tokenRequired={tokenRequired} pruned={pruned} rollbackAvailable={projects.canRollBack()} />);
  });

  ui.get('/projects/:id/settings', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    return c.html(<SettingsPage project={details.project} draft={draftOf(details.project)} tokenRequired={tokenRequired} notice={noticeKind(c.req.query('done'))} />);
  });

  ui.get('/projects/:id/delete', async (c) => {
    const id = c.req.param('id');
    const details = await findProject(id);
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    return c.html(<DeletePage project={details.project} tokenRequired={tokenRequired} />);
  });

  ui.get('/projects/:id/api', async (c) => {
    const id = c.req.param('id');
    if ((await findProject(id)) === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    return c.html(<ApiPage projectId={id} endpoint={endpointUrl(id)} />);
  });

  /** The runtime log as plain text, or with `?format=html` as the project page's refresh shows it (colours rendered, escaped). */
  ui.get('/ui/projects/:id/runtime-log', async (c) => {
    const details = await projects.get(c.req.param('id')); // unknown: the app's 404
    const text = await readRuntimeLog(details.project.id, details.currentDeployment?.container, containerLogs);
    if (c.req.query('format') === 'html') return c.html(ansiToHtml(text), 200, { 'cache-control': 'no-store' });
    return c.text(text, 200, { 'cache-control': 'no-store' });
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
