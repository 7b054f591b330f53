import type { Project } from '../domain/types.ts';

/** A submitted form: one value per field, or several for repeated fields (checkboxes). */
export type FormFields = Readonly<Record<string, string | File | readonly (string | File)[]>>;

/** The settings form's fields, as the page fills them in from the project. */
export interface SettingsDraft {
  readonly env: string;
  readonly idleTimeoutSeconds: string;
  readonly gpu: string;
  readonly port: string;
  readonly startupTimeoutSeconds: string;
  readonly dockerfile: string;
  readonly context: string;
}

/** The project's settings as form values. Pure. */
export function draftOf(project: Project): SettingsDraft {
  const text = (value: number | null | undefined) => (typeof value === 'number' ? String(value) : '');
  return {
    env: Object.entries(project.env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
    idleTimeoutSeconds: String(project.idleTimeoutSeconds),
    gpu: String(project.gpu),
    port: project.port === null ? '' : String(project.port),
    startupTimeoutSeconds: project.startupTimeoutSeconds === null ? '' : String(project.startupTimeoutSeconds),
    dockerfile: project.dockerfile,
    context: project.context,
  };
}

/** The submitted values, for showing the form again as it was sent. Pure. */
export function draftFrom(form: FormFields, fallback: SettingsDraft): SettingsDraft {
  const value = (name: keyof SettingsDraft) => {
    const sent = one(form, name);
    return sent === undefined ? fallback[name] : sent;
  };
  return { env: value('env'), idleTimeoutSeconds: value('idleTimeoutSeconds'), gpu: value('gpu'), port: value('port'), startupTimeoutSeconds: value('startupTimeoutSeconds'), dockerfile: value('dockerfile'), context: value('context') };
}

export type PatchResult = { readonly ok: true; readonly patch: Readonly<Record<string, unknown>> } | { readonly ok: false; readonly error: string };

/**
 * The `PATCH /api/projects/:id` body that turns the project's settings into the submitted ones:
 * only what changed, so a field this gateway cannot change yet is never sent unless it was
 * edited. `env` is `NAME=value` lines (blank lines and `#` comments skipped); a variable left
 * out is removed. Secrets: names ticked in `removeSecret` are removed; `secretName` with
 * `secretValue` sets one. Numbers stay numbers; an empty port or startup timeout means unset. Pure.
 */
export function settingsPatch(project: Project, form: FormFields): PatchResult {
  const patch: Record<string, unknown> = {};

  const envText = one(form, 'env');
  if (envText !== undefined) {
    const env: Record<string, string> = {};
    for (const [index, raw] of envText.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const equals = line.indexOf('=');
      if (equals <= 0) return { ok: false, error: `environment line ${index + 1} ("${line.slice(0, 40)}") is not NAME=value` };
      env[line.slice(0, equals).trim()] = raw.slice(raw.indexOf('=') + 1);
    }
    const change: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(env)) if (project.env[name] !== value) change[name] = value;
    for (const name of Object.keys(project.env)) if (!Object.hasOwn(env, name)) change[name] = null;
    if (Object.keys(change).length > 0) patch['env'] = change;
  }

  const secrets: Record<string, string | null> = {};
  for (const name of many(form, 'removeSecret')) if (Object.hasOwn(project.secrets, name)) secrets[name] = null;
  const secretName = one(form, 'secretName')?.trim() ?? '';
  const secretValue = one(form, 'secretValue') ?? '';
  if (secretName !== '' || secretValue !== '') {
    if (secretName === '') return { ok: false, error: 'a secret value was given without its name' };
    if (secretValue === '') return { ok: false, error: `secret ${secretName} needs a value (to remove it, tick "remove")` };
    secrets[secretName] = secretValue;
  }
  if (Object.keys(secrets).length > 0) patch['secrets'] = secrets;

  const idle = one(form, 'idleTimeoutSeconds');
  if (idle !== undefined && idle.trim() !== String(project.idleTimeoutSeconds)) patch['idleTimeoutSeconds'] = numberOrText(idle);

  const gpu = one(form, 'gpu');
  if (gpu !== undefined && gpu !== String(project.gpu)) patch['gpu'] = /^\d+$/.test(gpu) ? Number(gpu) : gpu;

  for (const name of ['port', 'startupTimeoutSeconds'] as const) {
    const sent = one(form, name);
    const current = project[name];
    if (sent === undefined) continue;
    const wanted = sent.trim() === '' ? null : numberOrText(sent);
    if (wanted !== (current ?? null)) patch[name] = wanted;
  }

  for (const name of ['dockerfile', 'context'] as const) {
    const sent = one(form, name)?.trim();
    if (sent !== undefined && sent !== project[name]) patch[name] = sent;
  }
  return { ok: true, patch };
}

/** A whole number as a number; anything else as sent, for the schema to refuse with its own message. */
function numberOrText(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

function one(form: FormFields, name: string): string | undefined {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function many(form: FormFields, name: string): string[] {
  const value = form[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');
}
