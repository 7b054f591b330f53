import { describeSource } from '../domain/repo-spec.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';
import { DeployForm } from './deploy-form.tsx';
import { Layout } from './layout.tsx';
import { Notice, type NoticeKind } from './notice.tsx';
import { placementText } from './placement-text.ts';
import { cardOf, shortReason, titleOf } from './project-facts.ts';
import { RelativeTime } from './relative-time.tsx';
import { StatusBadge } from './status-badge.tsx';

export interface ProjectRow {
  readonly details: ProjectDetails;
  readonly endpoint: string;
  readonly runtime: RuntimeSnapshot;
}

/** How often an open list asks the server for its rows again. */
const REFRESH_MS = 5_000;

/**
 * Keeps the list current without a reload: while the tab is visible, fetches this page every
 * few seconds and swaps in its list (statuses, runtime states, new projects). The deploy form
 * is outside the swapped part, so typing in it is never disturbed.
 */
const REFRESH_SCRIPT = `(() => {
  const every = Number(document.getElementById('project-list').dataset.refreshMs);
  setInterval(async () => {
    if (document.visibilityState !== 'visible') return;
    try {
      const response = await fetch(location.pathname, { headers: { accept: 'text/html' } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('project-list');
      if (fresh) document.getElementById('project-list').replaceWith(fresh);
    } catch {} // the gateway restarting: try again next time
  }, every);
})();`;

/** `/`: every demo as a card (its own title, emoji and description where its README has them), kept current, and the deploy form. */
export function ProjectListPage({ rows, now, notice = null }: { readonly rows: readonly ProjectRow[]; readonly now: Date; readonly notice?: NoticeKind | null }) {
  return (
    <Layout title="Projects">
      <h1>Demos</h1>
      <Notice kind={notice} />
      <section id="project-list" data-refresh-ms={String(REFRESH_MS)}>
        {rows.length === 0 ? (
          <p class="muted" id="no-projects">
            Nothing deployed yet. Give the form below a repository with a Dockerfile.
          </p>
        ) : (
          <div class="gallery" id="projects">
            {rows.map((row) => (
              <DemoCard row={row} now={now} />
            ))}
          </div>
        )}
      </section>
      <script dangerouslySetInnerHTML={{ __html: REFRESH_SCRIPT }} />
      <DeployForm />
    </Layout>
  );
}

/** One demo: what it is, whether it serves, on what hardware, and the way in. */
function DemoCard({ row: { details, endpoint, runtime }, now }: { readonly row: ProjectRow; readonly now: Date }) {
  const { project, latestDeployment: latest } = details;
  const card = cardOf(details);
  const title = titleOf(project, card);
  const source = `${describeSource(project.source)} @ ${project.branch}`;
  const page = `/projects/${encodeURIComponent(project.id)}`;
  const served = project.currentDeploymentId !== null;
  const failed = latest?.status === 'failed';
  return (
    <article class="demo-card" data-project={project.id}>
      <div class="demo-head">
        <span class="emoji" aria-hidden="true">
          {card?.emoji?.trim() || (card?.title?.trim() || project.source.repo).slice(0, 1).toUpperCase()}
        </span>
        <h2>
          <a class="title" href={page}>
            {title}
          </a>
        </h2>
        <StatusBadge status={latest?.status ?? null} />
      </div>
      {card?.description?.trim() ? <p class="description">{card.description.trim()}</p> : null}
      <p class="muted source">{title === project.id ? source : `${project.id} · ${source}`}</p>
      <dl class="facts">
        <dt>runs on</dt>
        <dd class="hardware">{placementText(latest?.placement ?? null)}</dd>
        <dt>now</dt>
        <dd class="runtime">{runtime.state ?? (served ? 'ready' : 'not serving')}</dd>
        {latest && (
          <>
            <dt>deployed</dt>
            <dd>
              <RelativeTime at={latest.createdAt} now={now} />
            </dd>
          </>
        )}
      </dl>
      {failed && (
        <p class="reason">
          <strong>{served ? 'Latest deploy failed (the previous version still serves): ' : 'Failed: '}</strong>
          {shortReason(latest.error ?? 'no reason recorded')}
        </p>
      )}
      <div class="demo-links">
        {served ? (
          <a class="endpoint open" href={endpoint}>
            Open demo →
          </a>
        ) : (
          <span class="muted not-serving">{failed ? 'Never served: see why on its page' : 'Not serving yet'}</span>
        )}
        <a href={page}>Details</a>
      </div>
    </article>
  );
}
