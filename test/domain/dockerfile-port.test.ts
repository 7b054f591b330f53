import { describe, expect, it } from 'vitest';
import { type DockerfileAnalysis, analyseDockerfile } from '../../gateway/domain/dockerfile.ts';

const df = (...lines: string[]): string => lines.join('\n');

function analysis(text: string): DockerfileAnalysis {
  const result = analyseDockerfile(text);
  if (!result.ok) throw new Error(result.error);
  return result.analysis;
}

const port = (text: string) => {
  const { port, portSource, portReason } = analysis(text);
  return { port, source: portSource, reason: portReason };
};

describe('the port a Dockerfile alone points at', () => {
  it('reads a port from a shell-form CMD', () => {
    expect(port(df('FROM python:3.9', 'CMD streamlit run app.py \\', '    --server.address 0.0.0.0 \\', '    --server.port 7860'))).toEqual({
      port: 7860,
      source: 'command',
      reason: '--server.port 7860 in CMD',
    });
  });

  it('reads ${PORT:-7860} in sh -c as 7860 when the image sets no PORT', () => {
    expect(port(df('FROM python:3.11-slim', 'CMD ["sh", "-c", "uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-7860}"]'))).toMatchObject({ port: 7860, source: 'command' });
  });

  it('reads a port from ENTRYPOINT and CMD together', () => {
    expect(port(df('FROM vllm/vllm-openai:v0.11.0', 'ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]', 'CMD ["--model", "/model", "--port", "8001"]'))).toEqual({
      port: 8001,
      source: 'command',
      reason: '--port 8001 in ENTRYPOINT/CMD',
    });
  });

  it("uses the default of the server the command runs: Streamlit's 8501", () => {
    expect(port(df('FROM python:3.11-slim', 'CMD ["streamlit", "run", "app.py"]'))).toEqual({
      port: 8501,
      source: 'image-default',
      reason: "Streamlit's default port 8501 (CMD runs streamlit run without a port)",
    });
  });

  it('keeps EXPOSE before a server default (the runtime then makes Streamlit listen there, or looks)', () => {
    expect(port(df('FROM python:3.11-slim', 'EXPOSE 80', 'ENTRYPOINT streamlit run client_streamlit.py'))).toEqual({
      port: 80,
      source: 'expose',
      reason: "EXPOSE 80; yet Streamlit's default port 8501 (ENTRYPOINT runs streamlit run without a port)",
    });
  });

  it('takes, of several EXPOSEd ports, the one the command uses', () => {
    expect(port(df('FROM python:3.11-slim', 'EXPOSE 8000 8001 8002', 'CMD ["uvicorn", "api:app", "--port", "8001"]'))).toEqual({
      port: 8001,
      source: 'expose',
      reason: 'EXPOSE 8001 (of 8000, 8001, 8002), the one the command uses',
    });
  });

  it("uses Gradio's 7860 when the image installs gradio and runs Python", () => {
    expect(port(df('FROM python:3.10', 'RUN pip install gradio transformers', 'CMD ["python", "app.py"]'))).toEqual({
      port: 7860,
      source: 'image-default',
      reason: "Gradio's default port 7860 (RUN installs gradio (line 2) and CMD runs Python)",
    });
  });

  it('uses the default port of a well-known serving base image when the Dockerfile keeps its command', () => {
    expect(port(df('FROM ollama/ollama', 'COPY Modelfile /Modelfile'))).toEqual({
      port: 11434,
      source: 'image-default',
      reason: "base image ollama/ollama: Ollama's API listens on 11434",
    });
  });

  it('says when it falls back to 80', () => {
    expect(port(df('FROM python:3.11-slim', 'CMD ["python", "app.py"]'))).toEqual({ port: 80, source: 'fallback', reason: 'nothing names a port; 80 is the default' });
  });
});

describe('ENTRYPOINT and CMD as the engine keeps them', () => {
  it('stores the shell form as /bin/sh -c', () => {
    expect(analysis(df('FROM python:3', 'CMD python ./main.py'))).toMatchObject({ entrypoint: [], cmd: ['/bin/sh', '-c', 'python ./main.py'] });
  });

  it('lets ENTRYPOINT clear a CMD inherited from an earlier stage, as Docker does', () => {
    expect(analysis(df('FROM python:3 AS base', 'CMD ["python", "app.py"]', 'FROM base', 'ENTRYPOINT ["/bin/ollama"]'))).toMatchObject({ entrypoint: ['/bin/ollama'], cmd: [] });
  });

  it('keeps a CMD set in the same stage as ENTRYPOINT, in either order', () => {
    expect(analysis(df('FROM ollama/ollama', 'CMD ["serve"]', 'ENTRYPOINT ["/bin/ollama"]'))).toMatchObject({ entrypoint: ['/bin/ollama'], cmd: ['serve'] });
  });

  it('drops CMD after a shell-form ENTRYPOINT, which ignores it', () => {
    expect(analysis(df('FROM python:3', 'ENTRYPOINT python src/app.py', 'CMD ["--port", "9999"]'))).toMatchObject({ cmd: [], port: 80 });
  });

  it('lists every EXPOSEd TCP port, own first, and the ENV of the final stage', () => {
    expect(analysis(df('FROM python:3 AS base', 'EXPOSE 9000', 'ENV HF_HOME=/data', 'FROM base', 'EXPOSE 7860 5353/udp', 'ENV PORT=7860'))).toMatchObject({
      exposedPorts: [7860, 9000],
      env: { HF_HOME: '/data', PORT: '7860' },
    });
  });

  it('names the start scripts COPYed from the context that the command runs', () => {
    expect(analysis(df('FROM ollama/ollama', 'COPY ./entrypoint.sh /entrypoint.sh', 'RUN chmod +x /entrypoint.sh', 'ENTRYPOINT ["/entrypoint.sh"]')).startScripts).toEqual(['entrypoint.sh']);
  });
});
