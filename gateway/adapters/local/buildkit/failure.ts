import { PorticoError } from '../../../errors.ts';
import type { StepFailure } from './progress-printer.ts';

/** Errors a registry pull ends with when no registry answers (DNS, refused, timeout). */
const UNREACHABLE = /no such host|lookup |dial tcp|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|server misbehaving|Client\.Timeout/i;

/** The engine's message without the frontend plumbing it wraps around the cause. */
export function plainEngineError(message: string): string {
  return message.replace(/^(?:failed to solve with frontend [\w.]+: |failed to solve: |failed to create LLB definition: )+/g, '');
}

/** The familiar name of an image reference the engine spelled out in full (`docker.io/library/node:20` → `node:20`). */
function familiar(reference: string): string {
  return reference.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/**
 * The error a failed BuildKit build throws: the failing step, its error and its last output lines,
 * or the clear offline message when a base image is not in the engine.
 */
export function buildFailure(step: StepFailure | null, engineError: string): PorticoError {
  const message = plainEngineError(step?.error ?? engineError);
  const base = step && /^\[internal\] load metadata for (\S+)$/.exec(step.step);
  if (base && UNREACHABLE.test(message)) {
    return new PorticoError(
      'build_failed',
      `base image ${familiar(base[1]!)} is not available locally and no registry is reachable; build or load it first (docker load / docker import). The engine said: ${message}`,
    );
  }
  // An image named only by COPY --from=<image> is a vertex of its own, "FROM <image>".
  const source = step && /^FROM (\S+)$/.exec(step.step);
  if (source && UNREACHABLE.test(message)) {
    return new PorticoError(
      'build_failed',
      `image ${familiar(source[1]!)} (named by COPY --from) is not available locally and no registry is reachable; build or load it first (docker load / docker import), or copy from a stage of the Dockerfile. The engine said: ${message}`,
    );
  }
  if (!step) return new PorticoError('build_failed', `the build failed: ${message}`);
  const output = step.lastLines.length > 0 ? `; its last output:\n${step.lastLines.join('\n')}` : '';
  return new PorticoError('build_failed', `step ${step.step} failed: ${message}${output}`);
}
