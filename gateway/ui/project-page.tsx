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
    log.append(JSON.parse(event.data).text);
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
  /** With TLS on: the certificate's state, or why there is none. */
  readonly certificate?: string | undefined;
}

/** `/projects/:id`: the latest deployment's phases, its live build log and, when it failed, why; the runtime log; the last hour's traffic. */
export function ProjectPage({ details: { project, latestDeployment: deployment }, endpoint, runtime, now, runtimeLog, history, certificate }: ProjectPageProps) {
  return (
    <Layout title={project.id}>
      <h1>
        {project.id} <StatusBadge status={deployment?.status ?? null} />
      </h1>
      <ProjectTabs projectId={project.id} current="overview" />
      <p>
        <a class="endpoint" href={endpoint}>
          {endpoint}
        </a>
      </p>
      {certificate !== undefined && (
        <p class="muted" id="certificate">
          {certificate}
        </p>
      )}
      <p class="muted">
        {`${describeSource(project.source)} @ ${project.branch} · runs on ${placementText(deployment?.placement ?? null)} · runtime ${runtime.state ?? '—'}`}
      </p>
      {deployment === null ? (
        <p class="muted">No deployment yet.</p>
      ) : (
        <>
          <h2>Deployment</h2>
          <p class="muted">{`${deployment.id}${deployment.commit ? ` · commit ${deployment.commit.slice(0, 12)}` : ''} · created ${deployment.createdAt}`}</p>
          <PhaseTimeline phases={deployment.phases} now={now} />
          {deployment.placement && <p class="muted">{deployment.placement.reason}</p>}
          {deployment.error !== null && (
            <div class="card">
              <strong>Why it failed</strong>
              <pre class="error" id="deployment-error">
                {deployment.error}
              </pre>
            </div>
          )}
          <h2>Build log</h2>
          <pre class="log" id="log" data-src={`/ui/deployments/${encodeURIComponent(deployment.id)}/log`} data-live={String(!isTerminal(deployment.status))}></pre>
          <script dangerouslySetInnerHTML={{ __html: LOG_SCRIPT }} />
        </>
      )}
      <RuntimeLog projectId={project.id} text={runtimeLog} />
      <h2>Traffic</h2>
      <ProjectCharts history={history} />
    </Layout>
  );
}
