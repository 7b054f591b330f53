import { describeSource } from '../domain/repo-spec.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';
import { DeployForm } from './deploy-form.tsx';
import { Layout } from './layout.tsx';
import { placementText } from './placement-text.ts';
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

/** `/`: every project at a glance, kept current, and the deploy form. */
export function ProjectListPage({ rows }: { readonly rows: readonly ProjectRow[] }) {
  return (
    <Layout title="Projects">
      <h1>Projects</h1>
      <section id="project-list" data-refresh-ms={String(REFRESH_MS)}>
        {rows.length === 0 ? (
          <p class="muted" id="no-projects">
            Nothing deployed yet. Give the form below a repository with a Dockerfile.
          </p>
        ) : (
          <table id="projects">
            <thead>
              <tr>
                <th>project</th>
                <th>status</th>
                <th>endpoint</th>
                <th>runs on</th>
                <th>runtime</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ details: { project, latestDeployment }, endpoint, runtime }) => (
                <tr data-project={project.id}>
                  <td>
                    <a href={`/projects/${encodeURIComponent(project.id)}`}>{project.id}</a>
                    <div class="muted">{`${describeSource(project.source)} @ ${project.branch}`}</div>
                  </td>
                  <td>
                    <StatusBadge status={latestDeployment?.status ?? null} />
                  </td>
                  <td>
                    <a class="endpoint" href={endpoint}>
                      {endpoint}
                    </a>
                  </td>
                  <td>{placementText(latestDeployment?.placement ?? null)}</td>
                  <td class="runtime">{runtime.state ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <script dangerouslySetInnerHTML={{ __html: REFRESH_SCRIPT }} />
      <DeployForm />
    </Layout>
  );
}
