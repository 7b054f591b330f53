import type { GpuSetting } from '../domain/types.ts';
import { assignments, wholeNumber } from './args.ts';
import { UsageError } from './exit-codes.ts';

/** The setting flags `portico deploy` and `portico config` share, as typed. */
export interface SettingFlags {
  readonly env?: readonly string[] | undefined;
  readonly gpu?: string | undefined;
  readonly idle?: string | undefined;
  readonly port?: string | undefined;
  readonly startupTimeout?: string | undefined;
  readonly dockerfile?: string | undefined;
  readonly context?: string | undefined;
}

/** The project fields those flags set, named as the API names them (POST and PATCH /api/projects). */
export interface SettingsBody {
  env?: Record<string, string>;
  gpu?: GpuSetting;
  idleTimeoutSeconds?: number;
  /** null: Portico finds the port (front matter, Dockerfile, the container). */
  port?: number | null;
  /** null: the gateway's default. */
  startupTimeoutSeconds?: number | null;
  dockerfile?: string;
  context?: string;
}

export const SETTING_OPTIONS = {
  env: { type: 'string', multiple: true },
  gpu: { type: 'string' },
  idle: { type: 'string' },
  port: { type: 'string' },
  'startup-timeout': { type: 'string' },
  dockerfile: { type: 'string' },
  context: { type: 'string' },
} as const;

export const SETTING_HELP = `  --env NAME=value        set an environment variable (repeatable)
  --gpu auto|prefer|off|N GPU placement: auto (CUDA images get one), prefer (GPU if one is free), off (CPU), N GPUs
  --idle S                seconds without a request before the demo is paused and then stopped
  --port N|auto           the port the app listens on inside its container; auto: found from the Dockerfile and the container
  --startup-timeout S|default  seconds a new container may take to answer; default: the gateway's (PORTICO_STARTUP_TIMEOUT_MS)
  --dockerfile PATH       the Dockerfile's path in the repository
  --context DIR           the build context's directory in the repository`;

/** Reads the flags into an API body; only the flags given appear in it. */
export function settingsBody(flags: SettingFlags): SettingsBody {
  const body: SettingsBody = {};
  if (flags.env && flags.env.length > 0) body.env = assignments(flags.env, '--env');
  if (flags.gpu !== undefined) body.gpu = gpuSetting(flags.gpu);
  const idle = wholeNumber(flags.idle, '--idle', 1, 7 * 24 * 3600);
  if (idle !== undefined) body.idleTimeoutSeconds = idle;
  if (flags.port !== undefined && flags.port !== 'auto' && !(/^\d+$/.test(flags.port) && Number(flags.port) >= 1 && Number(flags.port) <= 65_535)) {
    throw new UsageError(`--port takes a port from 1 to 65535, got "${flags.port}"; or auto to let Portico find it`);
  }
  const port = flags.port === 'auto' ? null : flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined) body.port = port;
  const startup = flags.startupTimeout === 'default' ? null : wholeNumber(flags.startupTimeout, '--startup-timeout', 1, 24 * 3600);
  if (startup !== undefined) body.startupTimeoutSeconds = startup;
  if (flags.dockerfile !== undefined) body.dockerfile = flags.dockerfile;
  if (flags.context !== undefined) body.context = flags.context;
  return body;
}

export function settingFlags(values: Readonly<Record<string, unknown>>): SettingFlags {
  const text = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return {
    env: Array.isArray(values.env) ? (values.env as string[]) : undefined,
    gpu: text('gpu'),
    idle: text('idle'),
    port: text('port'),
    startupTimeout: text('startup-timeout'),
    dockerfile: text('dockerfile'),
    context: text('context'),
  };
}

export function gpuSetting(text: string | undefined): GpuSetting {
  if (text === undefined) return 'auto';
  if (text === 'auto' || text === 'prefer' || text === 'off') return text;
  if (/^\d+$/.test(text) && Number(text) <= 16) return Number(text);
  throw new UsageError(`--gpu takes auto, prefer, off or a number of GPUs (0 to 16), got "${text}"`);
}
