import { describe, expect, it } from 'vitest';
import { adaptForBuiltinFrontend } from '../../gateway/adapters/local/buildkit/dockerfile-compat.ts';
import { parseDemoCard } from '../../gateway/domain/demo-card.ts';
import { declarePort } from '../../gateway/domain/declared-port.ts';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';
import { type CorpusEntry, type Prediction, formatScore, loadCorpus, score } from './corpus.ts';

/** What Portico knows before a build: the Dockerfile, the README's front matter and the start scripts the command runs. */
function predict(entry: CorpusEntry): Prediction {
  const result = analyseDockerfile(entry.dockerfile, entry.facts.buildArgs ?? {});
  if (!result.ok) return { port: null, gpu: null, cudaVersion: undefined, buildkitOnly: null, error: result.error };
  const { analysis } = result;
  const card = entry.readme === null ? null : parseDemoCard(entry.readme);
  const port = declarePort({ projectPort: null, card, analysis, scripts: entry.context });
  return { port: port.port, gpu: analysis.gpu, cudaVersion: analysis.cudaVersion, buildkitOnly: analysis.buildkit.required };
}

const corpus = loadCorpus();

describe('the corpus of real Dockerfiles', () => {
  it('holds at least 45 entries, each with its source and facts', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(45);
    for (const entry of corpus) {
      expect(entry.facts.source.repository, entry.slug).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
      expect(entry.facts.source.commit, entry.slug).toMatch(/^[0-9a-f]{40}$/);
      expect(entry.facts.notes.length, entry.slug).toBeGreaterThan(20);
    }
  });

  // Before this analysis (EXPOSE/ENV PORT/80, CUDA named in FROM, no BuildKit detection): port 31/46,
  // GPU 37/46, CUDA version 13/22 (GPU apps), BuildKit 31/46 (test/corpus/SCORE-BEFORE.txt). The floor is
  // the score reached (SCORE-AFTER.txt); the 4 port misses need the app's code or a run to see.
  it('scores port, GPU, CUDA version and BuildKit detection at or above the recorded floor', () => {
    const result = score(corpus, predict);
    console.log(formatScore(result, corpus));
    expect(result.totals.port).toBeGreaterThanOrEqual(42);
    expect(result.totals.gpu).toBeGreaterThanOrEqual(46);
    expect(result.totals.cudaVersion).toBeGreaterThanOrEqual(22);
    expect(result.totals.buildkitOnly).toBeGreaterThanOrEqual(46);
  });

  // The classic builder refused every BuildKit-only Dockerfile (0 of them built locally). On the
  // engine these machines have (Docker 20.10, whose built-in frontend is older than the syntax),
  // the local builder now accepts the ones it can rewrite exactly and names the line of the rest.
  it('builds the BuildKit-only Dockerfiles on Docker 20.10, refusing only what cannot be rewritten exactly', () => {
    const buildkitOnly = corpus.filter((entry) => entry.facts.buildkitOnly);
    const refused = buildkitOnly.flatMap((entry) => {
      const result = adaptForBuiltinFrontend(entry.dockerfile, '20.10.24+dfsg1');
      return result.ok ? [] : [{ slug: entry.slug, error: result.error }];
    });
    console.log(`BuildKit-only Dockerfiles accepted by the local builder on Docker 20.10: ${buildkitOnly.length - refused.length}/${buildkitOnly.length}`);
    expect(buildkitOnly.length).toBeGreaterThanOrEqual(15);
    expect(refused.map((entry) => entry.slug)).toStrictEqual(['tgi-trtllm']);
    expect(refused[0]!.error).toMatch(/ADD --checksum .*Docker 23/);
  });
});
