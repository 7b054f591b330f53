import { describe, expect, it } from 'vitest';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';
import { type CorpusEntry, type Prediction, formatScore, loadCorpus, score } from './corpus.ts';

/** The analysis as Portico runs it before a build. */
function predict(entry: CorpusEntry): Prediction {
  const result = analyseDockerfile(entry.dockerfile, entry.facts.buildArgs ?? {});
  if (!result.ok) return { port: null, gpu: null, cudaVersion: undefined, buildkitOnly: null, error: result.error };
  const { analysis } = result;
  return { port: analysis.port, gpu: analysis.gpu, cudaVersion: analysis.cudaVersion, buildkitOnly: false };
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

  it('scores port, GPU, CUDA version and BuildKit detection at or above the recorded floor', () => {
    const result = score(corpus, predict);
    console.log(formatScore(result, corpus));
    expect(result.totals.port).toBeGreaterThanOrEqual(31);
    expect(result.totals.gpu).toBeGreaterThanOrEqual(37);
    expect(result.totals.cudaVersion).toBeGreaterThanOrEqual(13);
    expect(result.totals.buildkitOnly).toBeGreaterThanOrEqual(31);
  });
});
