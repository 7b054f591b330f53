/**
 * Undo steps run last-in first-out, whether the bench finished, failed or was interrupted: a
 * benchmark must not leave containers, nginx or temp dirs behind.
 */
export interface Cleanup {
  add(what: string, step: () => Promise<void> | void): void;
  /**
   * Runs every step added so far, each once. Calls made while a run is under way (Ctrl-C during
   * the final clean-up, say) wait for that same run instead of racing it.
   */
  run(): Promise<void>;
}

export function createCleanup(log: (line: string) => void): Cleanup {
  const steps: { what: string; step: () => Promise<void> | void }[] = [];
  let running: Promise<void> | null = null;

  async function drain(): Promise<void> {
    for (let next = steps.pop(); next; next = steps.pop()) {
      const started = Date.now();
      try {
        await next.step();
        log(`clean-up: ${next.what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        log(`clean-up: could not ${next.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  return {
    add(what, step) {
      steps.push({ what, step });
    },
    run() {
      running ??= drain().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
