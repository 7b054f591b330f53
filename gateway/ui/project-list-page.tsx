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

/** `/`: every project at a glance, and the deploy form. */
export function ProjectListPage({ rows }: { readonly rows: readonly ProjectRow[] }) {
  return (
    <Layout title="Projects">
      <h1>Projects</h1>
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
      <DeployForm />
    </Layout>
  );
}
