import { spawn } from 'node:child_process';
import type { ApiClient } from './api-client.ts';
import { EXIT } from './exit-codes.ts';

/** How to hand a URL to the desktop's browser here, or null where there is none to hand it to. */
export function browserOpener(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } | null {
  if (env.BROWSER === '' || env.BROWSER === 'none') return null;
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  return { command: env.BROWSER || 'xdg-open', args: [] };
}

/**
 * `portico open <project>`: prints the endpoint URL, and opens it in a browser when this is a
 * terminal with a desktop. The browser is started detached and never waited for, so the
 * command returns at once, with a browser, without one, or when starting it fails.
 */
export async function openCommand(api: ApiClient, id: string, options: { readonly json: boolean; readonly browser: boolean }, out: (text: string) => void): Promise<number> {
  const { body: project } = await api.json<{ id: string; endpoint: string }>('GET', `/api/projects/${encodeURIComponent(id)}`);
  const opener = options.browser && process.stdout.isTTY ? browserOpener() : null;
  if (opener) {
    try {
      const child = spawn(opener.command, [...opener.args, project.endpoint], { detached: true, stdio: 'ignore' });
      child.on('error', () => {}); // no browser after all: the URL is printed anyway
      child.unref();
    } catch {
      // as above
    }
  }
  out(options.json ? JSON.stringify({ id: project.id, endpoint: project.endpoint }) + '\n' : `${project.endpoint}\n`);
  return EXIT.ok;
}
