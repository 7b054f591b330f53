import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DemoCard } from '../../gateway/domain/demo-card.ts';
import { declarePort } from '../../gateway/domain/declared-port.ts';
import { type DockerfileAnalysis, analyseDockerfile } from '../../gateway/domain/dockerfile.ts';
import type { ImageFacts } from '../../gateway/ports/image-builder.ts';

const df = (...lines: string[]): string => lines.join('\n');

function analysis(text: string): DockerfileAnalysis {
  const result = analyseDockerfile(text);
  if (!result.ok) throw new Error(result.error);
  return result.analysis;
}

const card = (fields: Partial<DemoCard>): DemoCard => ({ title: null, emoji: null, description: null, sdk: null, appPort: null, ...fields });
const facts = (fields: Partial<ImageFacts>): ImageFacts => ({ env: {}, exposedPorts: [], entrypoint: [], cmd: [], labels: {}, ...fields });

const everything = analysis(df('FROM python:3.11-slim', 'ENV PORT=5000', 'EXPOSE 9000', 'CMD ["uvicorn", "main:app", "--port", "8000"]'));

describe('declarePort', () => {
  it("puts the project's own port setting first", () => {
    expect(declarePort({ projectPort: 4000, card: card({ sdk: 'docker', appPort: 3000 }), analysis: everything })).toEqual({
      port: 4000,
      source: 'setting',
      reason: "the project's port setting 4000",
    });
  });

  it('takes app_port from the README front matter before anything in the Dockerfile', () => {
    expect(declarePort({ projectPort: null, card: card({ sdk: 'docker', appPort: 3000 }), analysis: everything })).toEqual({
      port: 3000,
      source: 'front-matter',
      reason: 'app_port: 3000 in README front matter',
    });
  });

  it("uses Spaces' 7860 for sdk: docker without app_port", () => {
    expect(declarePort({ projectPort: null, card: card({ sdk: 'docker' }), analysis: everything })).toMatchObject({ port: 7860, source: 'front-matter' });
  });

  it('ignores the front matter of a Gradio or Streamlit Space without app_port (Portico builds the Dockerfile)', () => {
    expect(declarePort({ projectPort: null, card: card({ sdk: 'gradio' }), analysis: everything })).toMatchObject({ port: 9000, source: 'expose' });
  });

  it('then EXPOSE, then ENV PORT, then the command', () => {
    expect(declarePort({ projectPort: null, card: null, analysis: everything })).toEqual({ port: 9000, source: 'expose', reason: 'EXPOSE 9000; yet --port 8000 in CMD' });
    const noExpose = analysis(df('FROM python:3.11-slim', 'ENV PORT=5000', 'CMD ["uvicorn", "main:app", "--port", "8000"]'));
    expect(declarePort({ projectPort: null, card: null, analysis: noExpose })).toEqual({ port: 5000, source: 'env', reason: 'ENV PORT=5000' });
    const commandOnly = analysis(df('FROM python:3.11-slim', 'CMD ["uvicorn", "main:app", "--port", "8000"]'));
    expect(declarePort({ projectPort: null, card: null, analysis: commandOnly })).toEqual({ port: 8000, source: 'command', reason: '--port 8000 in CMD' });
  });

  it('reads the port of a COPYed start script when its text is given', () => {
    const scripted = analysis(df('FROM python:3.9-slim', 'WORKDIR /app', 'COPY ./scripts/start.sh /app/start.sh', 'CMD ./start.sh'));
    expect(scripted.startScripts).toEqual(['scripts/start.sh']);
    expect(declarePort({ projectPort: null, card: null, analysis: scripted })).toMatchObject({ port: 80, source: 'fallback' });
    expect(declarePort({ projectPort: null, card: null, analysis: scripted, scripts: { 'scripts/start.sh': 'uvicorn app:app --host=0.0.0.0 --port=8000\n' } })).toEqual({
      port: 8000,
      source: 'command',
      reason: '--port=8000 in start script scripts/start.sh',
    });
  });

  it("uses the built image's inherited EXPOSE after the Dockerfile's own declarations", () => {
    const bare = analysis(df('FROM registry.example.com/team/base:1', 'COPY . /app'));
    expect(declarePort({ projectPort: null, card: null, analysis: bare, image: facts({ exposedPorts: [8000, 8001] }) })).toEqual({
      port: 8000,
      source: 'expose',
      reason: 'the built image EXPOSEs 8000 (of 8000, 8001)',
    });
    expect(declarePort({ projectPort: null, card: null, analysis: everything, image: facts({ exposedPorts: [1234] }) }).port).toBe(9000);
  });

  it("uses the built image's ENV and command when it EXPOSEs nothing", () => {
    const bare = analysis(df('FROM registry.example.com/team/base:1'));
    expect(declarePort({ projectPort: null, card: null, analysis: bare, image: facts({ env: { PORT: '80', HF_HOME: '/data' } }) })).toEqual({
      port: 80,
      source: 'env',
      reason: 'the built image sets PORT=80',
    });
    expect(declarePort({ projectPort: null, card: null, analysis: bare, image: facts({ entrypoint: ['/bin/sh', '-c'], cmd: ['gunicorn -b 0.0.0.0:5001 app:app'] }) })).toMatchObject({
      port: 5001,
      source: 'command',
    });
  });

  it("puts the built image's facts before the defaults of servers and base images", () => {
    const vllm = analysis(df('FROM vllm/vllm-openai:latest', 'ENTRYPOINT python3 -m vllm.entrypoints.openai.api_server --model m'));
    expect(declarePort({ projectPort: null, card: null, analysis: vllm })).toMatchObject({ port: 8000, source: 'image-default' });
    expect(declarePort({ projectPort: null, card: null, analysis: vllm, image: facts({ exposedPorts: [9999] }) })).toMatchObject({ port: 9999, source: 'expose' });
  });

  it('falls back to 80 when nothing names a port', () => {
    expect(declarePort({ projectPort: null, card: null, analysis: analysis(df('FROM python:3.11-slim', 'CMD ["python", "app.py"]')) })).toEqual({
      port: 80,
      source: 'fallback',
      reason: 'nothing names a port; 80 is the default',
    });
  });

  it('always returns a valid port, and a valid setting always wins', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -10, max: 70000 })), fc.option(fc.integer({ min: 1, max: 65535 })), (projectPort, appPort) => {
        const declared = declarePort({ projectPort, card: appPort === null ? null : card({ sdk: 'docker', appPort }), analysis: everything });
        expect(declared.port).toBeGreaterThanOrEqual(1);
        expect(declared.port).toBeLessThanOrEqual(65535);
        if (projectPort !== null && projectPort >= 1 && projectPort <= 65535) expect(declared).toMatchObject({ port: projectPort, source: 'setting' });
        else if (appPort !== null) expect(declared).toMatchObject({ port: appPort, source: 'front-matter' });
      }),
    );
  });
});
