import { isTerminal } from '../domain/deployment-state.ts';
import { describeSource } from '../domain/repo-spec.ts';
import type { MinutePoint } from '../services/minute-series.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';
import { Layout } from './layout.tsx';
import { PhaseTimeline } from './phase-timeline.tsx';
import { placementText } from './placement-text.ts';
import { ProjectCharts } from './project-charts.tsx';
import { ProjectTabs } from './project-tabs.tsx';
import { RuntimeLog } from './runtime-log.tsx';
import { StatusBadge } from './status-badge.tsx';
import { ActionForm, TOKEN_SCRIPT } from './action-form.tsx';
import { FailureReason } from './failure-reason.tsx';
import { Notice, type NoticeKind } from './notice.tsx';
import { cardOf, portOf, titleOf } from './project-facts.ts';
import { RelativeTime } from './relative-time.tsx';

/**
 * Appends the build log as it arrives over Server-Sent Events and swaps in the status badge and
 * timeline (rendered by the server) as phases change. When a deployment that was still running
 * ends, the page reloads once to show the final state and, if it failed, why.
 */
const LOG_SCRIPT = `(() => {
  const log = document.getElementById('log');
  const events = new EventSource(log.dataset.src);
  events.addEventListener('log', (event) => {
    const following = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.insertAdjacentHTML('beforeend', JSON.parse(event.data).html); // rendered by the server, every character escaped
    if (following) log.scrollTop = log.scrollHeight;
  });
  events.addEventListener('progress', (event) => {
    const progress = JSON.parse(event.data);
    document.querySelector('h1 .badge').outerHTML = progress.badge;
    document.getElementById('timeline').outerHTML = progress.timeline;
  });
  // The phase under way counts up between updates from the server.
  const ticking = setInterval(() => {
    for (const span of document.querySelectorAll('[data-running-since]')) {
      span.textContent = ((Date.now() - Date.parse(span.dataset.runningSince)) / 1000).toFixed(1) + ' s…';
    }
  }, 1000);
  events.addEventListener('end', () => {
    clearInterval(ticking);
    events.close();
    if (log.dataset.live === 'true') location.reload();
  });
})();`;

export interface ProjectPageProps {
  readonly details: ProjectDetails;
  readonly endpoint: string;
  readonly runtime: RuntimeSnapshot;
  readonly now: Date;
  /** The serving container's last lines, or why there are none. */
  readonly runtimeLog: string;
  /** The last hour, a point a minute. */
  readonly history: readonly MinutePoint[];
  /** PORTICO_TOKEN is set: the action forms ask for it. */
  readonly tokenRequired?: boolean;
  /** What the action that led here did. */
  readonly notice?: NoticeKind | null;
  /** With TLS on: the certificate's state, or why there is none. */
  readonly certificate?: string | undefined;
}

/** `/projects/:id`: what the demo is, its actions, the latest deployment's phases, its live build log and, when it failed, why; the runtime log; the last hour's traffic. */
export function ProjectPage({ details, endpoint, runtime, now, runtimeLog, history, tokenRequired = false, notice = null, certificate }: ProjectPageProps) {
  const { project, latestDeployment: deployment } = details;
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const card = cardOf(details);
  const served = project.currentDeploymentId !== null;
  const port = deployment ? portOf(deployment) : null;
  return (
    <Layout title={titleOf(project, card)}>
      <h1>
        {project.id} <StatusBadge status={deployment?.status ?? null} />
      </h1>
      {card && (card.title || card.description) ? (
        <p class="card-line" id="demo-card">
          {card.emoji ? `${card.emoji} ` : ''}
          {card.title ? <strong>{card.title}</strong> : null}
          {card.title && card.description ? ' · ' : ''}
          {card.description ?? ''}
        </p>
      ) : null}
      <ProjectTabs projectId={project.id} current="overview" />
      <Notice kind={notice} />
      <div class="actions">
        {served ? (
          <a class="endpoint button" href={endpoint}>
            Open demo →
          </a>
        ) : (
          <span class="muted not-serving">Not serving: no deployment has reached ready yet.</span>
        )}
        <ActionForm action={`${base}/redeploy`} id="redeploy-form" label="Redeploy" tokenRequired={tokenRequired} />
        <a class="button" href={`${base}/settings`}>
          Settings
        </a>
        <a class="button" href={`${base}/delete`} id="delete-link">
          Delete…
        </a>
      </div>
      <script dangerouslySetInnerHTML={{ __html: TOKEN_SCRIPT }} />
      <p class="muted">
        {`${describeSource(project.source)} @ ${project.branch} · runs on ${placementText(deployment?.placement ?? null)} · runtime ${runtime.state ?? '—'}`}
        {served ? ` · ${endpoint}` : ''}
      </p>
      {certificate !== undefined && (
        <p class="muted" id="certificate">
          {certificate}
        </p>
      )}
      {deployment === null ? (
        <p class="muted">No deployment yet.</p>
      ) : (
        <>
          <h2>Deployment</h2>
          <p class="muted">
            <a href={`${base}/deployments/${encodeURIComponent(deployment.id)}`}>{deployment.id}</a>
            {deployment.commit ? ` · commit ${deployment.commit.slice(0, 12)}` : ''} · created <RelativeTime at={deployment.createdAt} now={now} />
          </p>
          <PhaseTimeline phases={deployment.phases} now={now} />
          {deployment.placement && <p class="muted">{deployment.placement.reason}</p>}
          {port && <p class="muted" id="port">{`serves on port ${port.port}${port.reason ? ` (${port.reason})` : ''}`}</p>}
          <FailureReason error={deployment.error} />
          <h2>Build log</h2>
          <pre class="log" id="log" data-src={`/ui/deployments/${encodeURIComponent(deployment.id)}/log`} data-live={String(!isTerminal(deployment.status))}></pre>
          <script dangerouslySetInnerHTML={{ __html: LOG_SCRIPT }} />
          <noscript>
            <p>
              <a href={`${base}/deployments/${encodeURIComponent(deployment.id)}`}>Read this deployment's log</a> (it streams here when scripts run).
            </p>
          </noscript>
        </>
      )}
      <RuntimeLog projectId={project.id} text={runtimeLog} />
      <h2>Traffic</h2>
      <ProjectCharts history={history} />
    </Layout>
  );
}
