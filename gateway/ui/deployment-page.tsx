import { isTerminal } from '../domain/deployment-state.ts';
import type { Deployment, Project } from '../domain/types.ts';
import { ActionForm, TOKEN_SCRIPT } from './action-form.tsx';
import { ansiToHtml } from './ansi.ts';
import { FailureReason } from './failure-reason.tsx';
import { canRollBackTo } from './history-page.tsx';
import { Layout } from './layout.tsx';
import { PhaseTimeline } from './phase-timeline.tsx';
import { placementText } from './placement-text.ts';
import { portOf } from './project-facts.ts';
import { ProjectTabs } from './project-tabs.tsx';
import { RelativeTime } from './relative-time.tsx';
import { StatusBadge } from './status-badge.tsx';

export interface DeploymentPageProps {
  readonly project: Project;
  readonly deployment: Deployment;
  /** The whole build log. */
  readonly log: string;
  readonly now: Date;
  readonly tokenRequired: boolean;
  /** Its image was pruned: no rollback to it. */
  readonly pruned?: boolean;
  /** False where the gateway cannot roll back (on AWS, one with no function to run the release). */
  readonly rollbackAvailable?: boolean;
}

/** `/projects/:id/deployments/:deploymentId`: one deployment of the history, with its whole log; no script needed. */
export function DeploymentPage({ project, deployment, log, now, tokenRequired, pruned = false, rollbackAvailable = true }: DeploymentPageProps) {
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const port = portOf(deployment);
  return (
    <Layout title={`${project.id} · deployment ${deployment.id.slice(0, 8)}`}>
      <h1>
        {project.id} <StatusBadge status={deployment.status} />
      </h1>
      <ProjectTabs projectId={project.id} current="history" />
      <h2>
        Deployment <code>{deployment.id}</code>
      </h2>
      <p class="muted">
        {deployment.commit ? `commit ${deployment.commit.slice(0, 12)} · ` : ''}created <RelativeTime at={deployment.createdAt} now={now} /> · runs on {placementText(deployment.placement)}
        {deployment.id === project.currentDeploymentId ? ' · serving now' : ''}
        {port ? ` · port ${port.port}${port.reason ? ` (${port.reason})` : ''}` : ''}
      </p>
      <PhaseTimeline phases={deployment.phases} now={now} />
      <FailureReason error={deployment.error} />
      <div class="actions">
        {rollbackAvailable && canRollBackTo(project, deployment) && pruned && <span class="muted pruned">Its image was pruned: no rollback to it.</span>}
        {rollbackAvailable && canRollBackTo(project, deployment) && !pruned && <ActionForm action={`${base}/rollback`} fields={{ deploymentId: deployment.id }} label="Roll back to this deployment" tokenRequired={tokenRequired} />}
        <a href={`${base}/history`}>Back to the history</a>
        {!isTerminal(deployment.status) && <a href={base}>Follow it live on the overview</a>}
      </div>
      <h2>Build log</h2>
      <pre class="log" id="deployment-log" dangerouslySetInnerHTML={{ __html: log === '' ? '(nothing logged)' : ansiToHtml(log) }} />
      <script dangerouslySetInnerHTML={{ __html: TOKEN_SCRIPT }} />
    </Layout>
  );
}
