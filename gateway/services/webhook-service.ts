import type { Deployment, Project } from '../domain/types.ts';
import type { Clock } from '../ports/clock.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';

/** The parts of a GitHub `push` event Portico reads. */
export interface PushEvent {
  /** `refs/heads/<branch>` (or `refs/tags/…`, which is ignored). */
  readonly ref: string;
  /** True when the push deleted the branch. */
  readonly deleted?: boolean | undefined;
  readonly repository: {
    /** `owner/repo`, matched case-insensitively against GitHub projects. */
    readonly full_name: string;
    /** URLs the repository is known by, matched against git-URL projects. */
    readonly clone_url?: string | undefined;
    readonly git_url?: string | undefined;
    readonly ssh_url?: string | undefined;
    readonly html_url?: string | undefined;
  };
}

export type PushResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'deployed'; readonly deployments: readonly Deployment[]; readonly duplicate: boolean };

export interface WebhookService {
  /** Redeploys every project tracking the pushed repository and branch; a delivery id seen before deploys nothing again. */
  push(event: PushEvent, deliveryId: string | undefined): Promise<PushResult>;
}

export interface WebhookDeps {
  readonly listProjects: () => Promise<readonly Project[]>;
  readonly redeploy: (projectId: string) => Promise<Deployment>;
  /**
   * Shared with other gateway instances (on AWS): a delivery one instance took is a duplicate
   * for all. Without it, this process's memory is the only record (enough for one gateway).
   */
  readonly deliveries?: { readonly log: DeliveryLog; readonly clock: Clock } | undefined;
}

/** GitHub retries and redelivers with the same id; this many recent ids are remembered. */
const REMEMBERED_DELIVERIES = 1000;

export function createWebhookService(deps: WebhookDeps, options: { readonly rememberDeliveries?: number } = {}): WebhookService {
  const limit = options.rememberDeliveries ?? REMEMBERED_DELIVERIES;
  // Insertion-ordered, so the first key is the oldest. Holding the promise (not the result)
  // makes a duplicate that arrives while the first is still deploying wait for it instead of deploying again.
  const seen = new Map<string, Promise<PushResult>>();

  async function handle(event: PushEvent): Promise<PushResult> {
    const branch = branchOf(event.ref);
    const name = event.repository.full_name;
    if (branch === null) return { kind: 'ignored', reason: `${event.ref} is not a branch; only branch pushes deploy` };
    if (event.deleted) return { kind: 'ignored', reason: `branch ${branch} of ${name} was deleted` };
    const tracking = (await deps.listProjects()).filter((project) => project.branch === branch && tracksRepository(project, event.repository));
    if (tracking.length === 0) return { kind: 'ignored', reason: `no project tracks ${name}@${branch}` };
    const deployments: Deployment[] = [];
    for (const project of tracking) deployments.push(await deps.redeploy(project.id));
    return { kind: 'deployed', deployments, duplicate: false };
  }

  /** Another instance that claimed the delivery first handled it; what it deployed is not known here. */
  async function claimAndHandle(event: PushEvent, deliveryId: string): Promise<PushResult> {
    const shared = deps.deliveries;
    if (!shared) return handle(event);
    if (!(await shared.log.claim(deliveryId, shared.clock.now()))) return { kind: 'deployed', deployments: [], duplicate: true };
    try {
      return await handle(event);
    } catch (error) {
      await shared.log.release(deliveryId);
      throw error;
    }
  }

  return {
    async push(event, deliveryId) {
      if (deliveryId === undefined) return handle(event);
      const earlier = seen.get(deliveryId);
      if (earlier) {
        const result = await earlier;
        return result.kind === 'deployed' ? { ...result, duplicate: true } : result;
      }
      const running = claimAndHandle(event, deliveryId);
      seen.set(deliveryId, running);
      if (seen.size > limit) seen.delete(seen.keys().next().value!);
      // A delivery that failed may be redelivered and should then deploy.
      running.catch(() => seen.delete(deliveryId));
      return running;
    },
  };
}

function branchOf(ref: string): string | null {
  return ref.startsWith('refs/heads/') && ref.length > 'refs/heads/'.length ? ref.slice('refs/heads/'.length) : null;
}

/** GitHub projects match by owner/repo (GitHub names are case-insensitive); git-URL projects by any URL of the repository. */
function tracksRepository(project: Project, repository: PushEvent['repository']): boolean {
  const { source } = project;
  if (source.kind === 'github') return `${source.owner}/${source.repo}`.toLowerCase() === repository.full_name.toLowerCase();
  if (source.kind === 'git') {
    const urls = [repository.clone_url, repository.git_url, repository.ssh_url, repository.html_url].filter((url) => url !== undefined);
    return urls.some((url) => sameGitUrl(url, source.url));
  }
  return false;
}

/**
 * `https://github.com/Acme/Hello.git/` and `https://github.com/acme/hello` name the same repository:
 * a trailing `.git` or `/` never matters, case only in GitHub paths (other servers' paths may be case-sensitive).
 */
function sameGitUrl(a: string, b: string): boolean {
  return normalGitUrl(a) === normalGitUrl(b);
}

function normalGitUrl(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '').replace(/\.git$/, '');
  try {
    const url = new URL(trimmed);
    const path = url.hostname === 'github.com' ? url.pathname.toLowerCase() : url.pathname;
    return `${url.protocol}//${url.host}${path}`;
  } catch {
    return trimmed; // scp-like `git@host:owner/repo`
  }
}
