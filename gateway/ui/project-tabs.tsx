/** The project pages' tabs: the overview (deployment, logs, charts) and the demo's own API. */
export function ProjectTabs({ projectId, current }: { readonly projectId: string; readonly current: 'overview' | 'api' }) {
  const base = `/projects/${encodeURIComponent(projectId)}`;
  return (
    <nav class="tabs">
      <a href={base} aria-current={current === 'overview' ? 'page' : undefined}>
        Overview
      </a>
      <a href={`${base}/api`} aria-current={current === 'api' ? 'page' : undefined}>
        API
      </a>
    </nav>
  );
}
