import { ansiToHtml } from './ansi.ts';

/** Lines of the serving container's output the project page shows. */
export const RUNTIME_LOG_TAIL = 100;

/** How often the page asks for the runtime log again while it is visible. */
const REFRESH_MS = 5_000;

/** Re-reads the runtime log every few seconds (and on "Refresh"), keeping the view at the bottom if it was. */
const REFRESH_SCRIPT = `(() => {
  const log = document.getElementById('runtime-log');
  const button = document.getElementById('runtime-log-refresh');
  const refresh = async () => {
    const response = await fetch(log.dataset.src + '?format=html').catch(() => null);
    if (!response || !response.ok) return;
    const html = await response.text();
    if (html === log.innerHTML) return;
    const following = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.innerHTML = html; // rendered by the server from the log, every character escaped
    if (following) log.scrollTop = log.scrollHeight;
  };
  log.scrollTop = log.scrollHeight;
  button.addEventListener('click', refresh);
  setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, ${REFRESH_MS});
})();`;

/** The serving container's last lines, colours rendered, refreshed in place. */
export function RuntimeLog({ projectId, text }: { readonly projectId: string; readonly text: string }) {
  return (
    <section>
      <h2>
        Runtime log <button type="button" id="runtime-log-refresh" class="small">Refresh</button>
      </h2>
      <p class="muted">{`The serving container's last ${RUNTIME_LOG_TAIL} lines of output (stdout and stderr).`}</p>
      <pre class="log" id="runtime-log" data-src={`/ui/projects/${encodeURIComponent(projectId)}/runtime-log`} dangerouslySetInnerHTML={{ __html: ansiToHtml(text) }} />
      <script dangerouslySetInnerHTML={{ __html: REFRESH_SCRIPT }} />
    </section>
  );
}

export type ContainerLogs = (containerId: string, options: { readonly tail: number; readonly projectId: string }) => Promise<string>;

/** What the runtime log shows for a project: its serving container's output, or why there is none. */
export async function readRuntimeLog(projectId: string, container: { readonly id: string } | null | undefined, containerLogs: ContainerLogs | undefined): Promise<string> {
  if (!container) return 'No container serves this project yet: its output appears here once a deployment is ready.';
  if (!containerLogs) return '(this gateway cannot read container output)';
  const text = await containerLogs(container.id, { tail: RUNTIME_LOG_TAIL, projectId }).catch((error: unknown) => `(could not read the output: ${error instanceof Error ? error.message : String(error)})`);
  return text.trim() === '' ? '(no output yet)' : text;
}
