import { Hono } from 'hono';
import type { ApiDeps } from '../api/routes.ts';
import type { Deployment } from '../domain/types.ts';
import { isPorticoError } from '../errors.ts';
import { DEPLOY_BADGE_SVG } from './badge-svg.ts';
import { DeployPage } from './deploy-page.tsx';
import { streamBuildLog } from './log-stream.ts';
import { NotFoundPage } from './not-found-page.tsx';
import { ProjectListPage } from './project-list-page.tsx';
import { PhaseTimeline } from './phase-timeline.tsx';
import { ProjectPage } from './project-page.tsx';
import { StatusBadge } from './status-badge.tsx';

export interface DashboardDeps extends Pick<ApiDeps, 'projects' | 'endpointUrl' | 'runtimeOf'> {
  /** How often a streamed build log looks for new lines. */
  readonly logPollIntervalMs?: number;
  /** For the duration of a phase still under way. */
  readonly now?: () => Date;
}

const DEFAULT_LOG_POLL_INTERVAL_MS = 300;

/** The server-rendered dashboard on the gateway's own host: `/`, `/deploy`, `/projects/:id`. */
export function createDashboard({ projects, endpointUrl, runtimeOf, logPollIntervalMs = DEFAULT_LOG_POLL_INTERVAL_MS, now = () => new Date() }: DashboardDeps): Hono {
  const ui = new Hono();

  ui.get('/', async (c) => {
    const rows = (await projects.list()).map((details) => ({ details, endpoint: endpointUrl(details.project.id), runtime: runtimeOf(details.project.id) }));
    return c.html(<ProjectListPage rows={rows} />);
  });

  ui.get('/deploy', (c) => c.html(<DeployPage repo={c.req.query('repo') ?? ''} branch={c.req.query('branch') ?? ''} />));

  ui.get('/projects/:id', async (c) => {
    const id = c.req.param('id');
    const details = await projects.get(id).catch((error: unknown) => {
      if (isPorticoError(error) && error.code === 'not_found') return null;
      throw error;
    });
    if (details === null) return c.html(<NotFoundPage what={`Project "${id}"`} />, 404);
    return c.html(<ProjectPage details={details} endpoint={endpointUrl(id)} runtime={runtimeOf(id)} now={now()} />);
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
