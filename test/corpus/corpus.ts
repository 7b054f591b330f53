import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What someone read from a public repository (its app code, start scripts, base image), never from Portico's output. */
export interface CorpusFacts {
  readonly source: { readonly repository: string; readonly path: string; readonly commit: string; readonly readme?: string };
  /** The TCP port the app really listens on inside its container. */
  readonly port: number;
  /** The app is built to run on an NVIDIA GPU. */
  readonly gpu: boolean;
  /** `major.minor` when the repository (or its base image's tag) says which CUDA; else null. */
  readonly cudaVersion: string | null;
  /** The classic builder refuses the file: `RUN --mount`, `COPY --chmod`/`--link`, heredocs. */
  readonly buildkitOnly: boolean;
  /** Build args the repository passes to `docker build`, if any. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** How each fact was read. */
  readonly notes: string;
}

export interface CorpusEntry {
  readonly slug: string;
  readonly dockerfile: string;
  /** README.md front matter block, when the repository has one. */
  readonly readme: string | null;
  /** Files of the build context kept beside the entry (start scripts), by path relative to the context. */
  readonly context: Readonly<Record<string, string>>;
  readonly facts: CorpusFacts;
}

export const CORPUS_DIR = new URL('.', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every entry of test/corpus/<slug>/, sorted by slug. */
export function loadCorpus(): CorpusEntry[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => existsSync(join(CORPUS_DIR, name, 'facts.json')))
    .sort()
    .map((slug) => {
      const dir = join(CORPUS_DIR, slug);
      const readmePath = join(dir, 'README.md');
      const contextDir = join(dir, 'context');
      const context = existsSync(contextDir)
        ? Object.fromEntries(filesUnder(contextDir).map((path) => [relative(contextDir, path), readFileSync(path, 'utf8')]))
        : {};
      return {
        slug,
        dockerfile: readFileSync(join(dir, 'Dockerfile'), 'utf8'),
        readme: existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : null,
        context,
        facts: JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as CorpusFacts,
      };
    });
}

export interface Prediction {
  readonly port: number | null;
  readonly gpu: boolean | null;
  readonly cudaVersion: string | null | undefined;
  readonly buildkitOnly: boolean | null;
  /** Set when the analysis refused the file: every fact then counts as missed. */
  readonly error?: string;
}

export const SCORED = ['port', 'gpu', 'cudaVersion', 'buildkitOnly'] as const;
export type Scored = (typeof SCORED)[number];

export interface Score {
  /** `hits[fact]` is null where the fact is not scored for that entry (the CUDA version of a CPU app). */
  readonly rows: ReadonlyArray<{ readonly slug: string; readonly hits: Readonly<Record<Scored, boolean | null>>; readonly prediction: Prediction }>;
  readonly totals: Readonly<Record<Scored, number>>;
  /** How many entries each fact is scored on. */
  readonly scoredOn: Readonly<Record<Scored, number>>;
}

export function score(entries: readonly CorpusEntry[], predict: (entry: CorpusEntry) => Prediction): Score {
  const rows = entries.map((entry) => {
    const prediction = predict(entry);
    const ok = prediction.error === undefined;
    const hits = {
      port: ok && prediction.port === entry.facts.port,
      gpu: ok && prediction.gpu === entry.facts.gpu,
      // Scored on GPU apps only (a CPU app's null would be a free point), and only with the GPU found too:
      // a CPU verdict's null does not find an unknown CUDA version.
      cudaVersion: entry.facts.gpu ? ok && prediction.gpu === true && prediction.cudaVersion === entry.facts.cudaVersion : null,
      buildkitOnly: ok && prediction.buildkitOnly === entry.facts.buildkitOnly,
    };
    return { slug: entry.slug, hits, prediction };
  });
  const count = (test: (hit: boolean | null) => boolean) =>
    Object.fromEntries(SCORED.map((fact) => [fact, rows.filter((row) => test(row.hits[fact])).length])) as Record<Scored, number>;
  return { rows, totals: count((hit) => hit === true), scoredOn: count((hit) => hit !== null) };
}

/** A plain-text table: one line per entry, misses show what was predicted against the fact. */
export function formatScore(result: Score, entries: readonly CorpusEntry[]): string {
  const bySlug = new Map(entries.map((entry) => [entry.slug, entry]));
  const width = Math.max(...result.rows.map((row) => row.slug.length));
  const lines = result.rows.map((row) => {
    const facts = bySlug.get(row.slug)!.facts;
    const cells = SCORED.map((fact) => {
      const hit = row.hits[fact];
      return hit === null ? '-' : hit ? 'ok' : `MISS(${String(row.prediction[fact])}≠${String(facts[fact])})`;
    });
    return `${row.slug.padEnd(width)}  ${cells.join('  ')}${row.prediction.error ? `  error: ${row.prediction.error}` : ''}`;
  });
  const totals = SCORED.map((fact) => `${fact} ${result.totals[fact]}/${result.scoredOn[fact]}`).join(', ');
  return [...lines, `score: ${totals}`].join('\n');
}
