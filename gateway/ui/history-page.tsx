import type { Deployment, Project } from '../domain/types.ts';
import { ActionForm, TOKEN_SCRIPT } from './action-form.tsx';
import { Layout } from './layout.tsx';
import { Notice, type NoticeKind } from './notice.tsx';
import { formatDuration, phaseSpans } from './phase-timeline.tsx';
import { placementText } from './placement-text.ts';
import { shortReason, titleOf } from './project-facts.ts';
import { ProjectTabs } from './project-tabs.tsx';
import { RelativeTime } from './relative-time.tsx';
import { StatusBadge } from './status-badge.tsx';

/** A deployment that served and is not serving now (nor is its image, through a rollback): its kept image can serve again. */
export function canRollBackTo(project: Project, deployment: Deployment, servingImage: string | null = null): boolean {
  return (
    (deployment.status === 'ready' || deployment.status === 'superseded') &&
    deployment.image !== null &&
    deployment.id !== project.currentDeploymentId &&
    deployment.image !== servingImage
  );
}

/** Whole run time, from the first phase's start to the last one's end (or now, while it runs). Pure. */
export function totalMs(deployment: Deployment, now: Date): number | null {
  const spans = phaseSpans(deployment.phases, now);
  if (spans.length === 0) return null;
  const start = Date.parse(spans[0]!.startedAt);
  const last = spans[spans.length - 1]!;
  return Date.parse(last.startedAt) + last.durationMs - start;
}

export interface HistoryPageProps {
  readonly project: Project;
  /** Newest first. */
  readonly deployments: readonly Deployment[];
  readonly now: Date;
  readonly tokenRequired: boolean;
  readonly notice?: NoticeKind | null;
  /** Deployments whose image was pruned (no rollback to them), as far as the gateway can tell. */
  readonly pruned?: ReadonlySet<string>;
  /** False where the gateway cannot roll back (on AWS, one with no function to run the release): no rollback is offered. */
  readonly rollbackAvailable?: boolean;
}

/** `/projects/:id/history`: every deployment with its status, commit, phase durations and log, and a rollback to any that served. */
export function HistoryPage({ project, deployments, now, tokenRequired, notice = null, pruned = new Set(), rollbackAvailable = true }: HistoryPageProps) {
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const servingImage = deployments.find((deployment) => deployment.id === project.currentDeploymentId)?.image ?? null;
  const offered = (deployment: Deployment) => rollbackAvailable && canRollBackTo(project, deployment, servingImage);
  return (
    <Layout title={`${titleOf(project)} · history`}>
      <h1>{project.id}</h1>
      <ProjectTabs projectId={project.id} current="history" />
      <Notice kind={notice} />
      {deployments.length === 0 ? (
        <p class="muted">No deployment yet.</p>
      ) : (
        <table class="history" id="history">
          <thead>
            <tr>
              <th>deployed</th>
              <th>status</th>
              <th>commit</th>
              <th>phases</th>
              <th>total</th>
              <th>runs on</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((deployment) => {
              const total = totalMs(deployment, now);
              const page = `${base}/deployments/${encodeURIComponent(deployment.id)}`;
              const serving = deployment.id === project.currentDeploymentId;
              return (
                <tr data-deployment={deployment.id} class={serving ? 'serving' : undefined}>
                  <td>
                    <RelativeTime at={deployment.createdAt} now={now} />
                    {serving ? <div class="muted serving-mark">serving</div> : null}
                  </td>
                  <td>
                    <StatusBadge status={deployment.status} />
                    {deployment.error !== null && <div class="reason">{shortReason(deployment.error, 120)}</div>}
                  </td>
                  <td>{deployment.commit ? <code class="commit">{deployment.commit.slice(0, 7)}</code> : <span class="muted">—</span>}</td>
                  <td class="phases">
                    {phaseSpans(deployment.phases, now)
                      .map((span) => `${span.name} ${formatDuration(span.durationMs)}${span.running ? '…' : ''}`)
                      .join(' · ') || <span class="muted">queued</span>}
                  </td>
                  <td class="total">{total === null ? '—' : formatDuration(total)}</td>
                  <td>{placementText(deployment.placement)}</td>
                  <td class="row-actions">
                    <a href={page} class="log-link">
                      Log
                    </a>
                    {offered(deployment) && pruned.has(deployment.id) && <div class="muted pruned">image pruned</div>}
                    {offered(deployment) && !pruned.has(deployment.id) && (
                      <ActionForm
                        action={`${base}/rollback`}
                        fields={{ deploymentId: deployment.id }}
                        label="Roll back to this"
                        tokenRequired={tokenRequired}
                        confirm={`Serve deployment ${deployment.id.slice(0, 8)} (commit ${deployment.commit?.slice(0, 7) ?? '?'}) again?`}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="muted">
        {rollbackAvailable
          ? "Rolling back starts the earlier deployment's kept image again, with the project's current settings; only the newest images of a project are kept (PORTICO_KEEP_IMAGES)."
          : 'This gateway cannot roll back yet: redeploy instead.'}
      </p>
      <script dangerouslySetInnerHTML={{ __html: TOKEN_SCRIPT }} />
    </Layout>
  );
}
