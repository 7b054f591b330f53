import { PorticoError } from '../../../errors.ts';
import { adaptForBuiltinFrontend, GENERATED_DIR, type GeneratedFile } from './dockerfile-compat.ts';

/** The first Docker release whose built-in Dockerfile frontend has here-documents and COPY --link (dockerfile 1.4+). */
const CURRENT_FRONTEND_MAJOR = 23;

/** What the engine is sent: the Dockerfile's path in the context and any files generated for it. */
export interface FrontendPlan {
  readonly dockerfile: string;
  readonly files: readonly GeneratedFile[];
}

/** The engine's version string is older than Docker 23 (`20.10.24+dfsg1` is; `24.0.7` and dev builds are not). */
export function hasOldFrontend(engineVersion: string): boolean {
  const major = /^(\d+)\./.exec(engineVersion)?.[1];
  return major !== undefined && Number(major) < CURRENT_FRONTEND_MAJOR;
}

/**
 * Docker 23+ gets the Dockerfile untouched. An older engine's built-in frontend gets it adapted
 * (see adaptForBuiltinFrontend), the changes said in the log; what cannot be adapted exactly
 * fails here, before the build, naming the line and the fix.
 */
export function planFrontend(engineVersion: string, dockerfile: string, text: string | null, onLog: (text: string) => void): FrontendPlan {
  if (text === null || !hasOldFrontend(engineVersion)) return { dockerfile, files: [] };
  const adapted = adaptForBuiltinFrontend(text, engineVersion);
  if (!adapted.ok) throw new PorticoError('build_failed', adapted.error);
  if (adapted.text === text) return { dockerfile, files: [] };
  for (const note of adapted.notes) onLog(`portico: ${note}\n`);
  const path = `${GENERATED_DIR}/Dockerfile`;
  return { dockerfile: path, files: [...adapted.files, { path, content: adapted.text, mode: 0o644 }] };
}
