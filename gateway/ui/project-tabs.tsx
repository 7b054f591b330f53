export type ProjectTab = 'overview' | 'history' | 'settings' | 'api';

const TABS: readonly (readonly [ProjectTab, string, string])[] = [
  ['overview', 'Overview', ''],
  ['history', 'History', '/history'],
  ['settings', 'Settings', '/settings'],
  ['api', 'API', '/api'],
];

/** The project pages' tabs: the overview (deployment, logs, charts), its deployments, its settings, and the demo's own API. */
export function ProjectTabs({ projectId, current }: { readonly projectId: string; readonly current: ProjectTab }) {
  const base = `/projects/${encodeURIComponent(projectId)}`;
  return (
    <nav class="tabs">
      {TABS.map(([tab, label, path]) => (
        <a href={`${base}${path}`} aria-current={current === tab ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
