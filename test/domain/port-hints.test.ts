import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseExposed, imagePortDefault, portInCommand, portInEnv, portInScript, toolDefault } from '../../gateway/domain/port-hints.ts';
import { shellWords } from '../../gateway/domain/shell-words.ts';

const words = (line: string) => shellWords(line);

describe('portInCommand', () => {
  it.each([
    ['uvicorn main:app --host 0.0.0.0 --port 8000', 8000, '--port 8000 in CMD'],
    ['uvicorn app:app --host=0.0.0.0 --port=8000 --workers=0', 8000, '--port=8000 in CMD'],
    ['streamlit run app.py --server.port 8501 --server.address 0.0.0.0', 8501, '--server.port 8501 in CMD'],
    ['streamlit run app.py --server.port=7860', 7860, '--server.port=7860 in CMD'],
    ['python app.py -p 9000', 9000, '-p 9000 in CMD'],
    ['gunicorn --bind 0.0.0.0:5000 wsgi:app', 5000, '--bind 0.0.0.0:5000 in CMD'],
    ['gunicorn -b :8080 app:app', 8080, '-b :8080 in CMD'],
    ['gunicorn --bind=[::]:8000 app:app', 8000, '--bind=[::]:8000 in CMD'],
    ['python manage.py runserver 0.0.0.0:8000', 8000, 'runserver 0.0.0.0:8000 in CMD'],
    ['python -m http.server 8080', 8080, 'http.server 8080 in CMD'],
    ['PORT=3001 node server.js', 3001, 'PORT=3001 in CMD'],
    ['OLLAMA_HOST=0.0.0.0:11500 ollama serve', 11500, 'OLLAMA_HOST=0.0.0.0:11500 in CMD'],
    ['python webui.py --listen --port 7860', 7860, '--port 7860 in CMD'],
    ['jupyter lab --ip=0.0.0.0 --port=8888 --no-browser', 8888, '--port=8888 in CMD'],
    ['vllm serve model --host 0.0.0.0 --port 80', 80, '--port 80 in CMD'],
  ])('finds the port in %s', (line, port, reason) => {
    expect(portInCommand(words(line), 'CMD')).toEqual({ port, reason });
  });

  it.each([
    'python app.py',
    'uvicorn main:app --port $PORT',
    'python app.py --port 99999',
    'text-generation-launcher --prometheus-port 9000',
    'gunicorn --bind unix:/tmp/app.sock app:app',
    'mkdir -p /data && python app.py',
  ])('finds no port in %s', (line) => {
    expect(portInCommand(words(line), 'CMD')).toBeNull();
  });

  it('finds any valid port written after --port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('--port ', '--port=', '--server.port ', '--server.port=', '-p '), (port, flag) => {
        expect(portInCommand(words(`serve ${flag}${port}`), 'CMD')?.port).toBe(port);
      }),
    );
  });
});

describe('toolDefault', () => {
  it.each([
    ['streamlit run client_streamlit.py --server.enableXsrfProtection=false', 8501, 'Streamlit'],
    ['uvicorn --factory speaches.main:create_app', 8000, 'uvicorn'],
    ['uv run fastapi dev --host 0.0.0.0 src/app', 8000, 'the FastAPI CLI'],
    ['python3 -m vllm.entrypoints.openai.api_server --model m', 8000, 'vLLM'],
    ['vllm serve meta-llama/Llama-3-8B', 8000, 'vLLM'],
    ['/bin/ollama serve', 11434, 'Ollama'],
    ['tritonserver --model-repository=/models', 8000, 'Triton'],
    ['torchserve --start --ncs', 8080, 'TorchServe'],
    ['flask run', 5000, 'Flask'],
    ['python -m flask run --host=0.0.0.0', 5000, 'Flask'],
    ['jupyter notebook --ip=0.0.0.0', 8888, 'Jupyter'],
    ['text-generation-launcher --model-id x', 3000, 'text-generation-inference'],
    ['python -m http.server', 8000, "Python's http.server"],
    ['gradio app.py', 7860, 'Gradio'],
  ])('knows the default port of %s', (line, port, tool) => {
    const hint = toolDefault(words(line), 'CMD');
    expect(hint?.port).toBe(port);
    expect(hint?.reason).toContain(`${tool}'s default port ${port}`);
  });

  it('does not take uvicorn on a unix socket for a TCP server', () => {
    expect(toolDefault(words('uvicorn --uds /run/app.sock main:app'), 'CMD')).toBeNull();
  });

  it('knows nothing of a plain python or node command', () => {
    expect(toolDefault(words('python app.py'), 'CMD')).toBeNull();
    expect(toolDefault(words('node build'), 'CMD')).toBeNull();
  });
});

describe('portInEnv', () => {
  it('reads PORT first, then the variables servers read', () => {
    expect(portInEnv({ PORT: '7860', UVICORN_PORT: '8000' }, 'ENV')).toEqual({ port: 7860, reason: 'ENV PORT=7860' });
    expect(portInEnv({ UVICORN_HOST: '0.0.0.0', UVICORN_PORT: '8000' }, 'ENV')).toEqual({ port: 8000, reason: 'ENV UVICORN_PORT=8000' });
    expect(portInEnv({ GRADIO_SERVER_PORT: '7861' }, 'ENV')?.port).toBe(7861);
    expect(portInEnv({ STREAMLIT_SERVER_PORT: '8502' }, 'ENV')?.port).toBe(8502);
    expect(portInEnv({ OLLAMA_HOST: '0.0.0.0:11434' }, 'ENV')).toEqual({ port: 11434, reason: 'ENV OLLAMA_HOST=0.0.0.0:11434' });
  });

  it('ignores variables that name no port', () => {
    expect(portInEnv({ OLLAMA_HOST: '0.0.0.0', VLLM_PORT: '8000', QDRANT_PORT: '6333' }, 'ENV')).toBeNull();
  });
});

describe('chooseExposed', () => {
  const describe_ = (port: number) => `EXPOSE ${port}`;
  it('takes the only EXPOSEd port', () => {
    expect(chooseExposed([8000], [], describe_)).toEqual({ port: 8000, reason: 'EXPOSE 8000' });
  });

  it('takes, of several, the one the command uses', () => {
    expect(chooseExposed([8000, 8001, 8002], [8001], describe_)).toEqual({ port: 8001, reason: 'EXPOSE 8001 (of 8000, 8001, 8002), the one the command uses' });
  });

  it('passes over SSH when the image EXPOSEs 22 first', () => {
    expect(chooseExposed([22, 5000], [], describe_)).toEqual({ port: 5000, reason: 'EXPOSE 5000 (of 22, 5000); 22 is SSH' });
  });

  it('keeps the first when the command names none of them', () => {
    expect(chooseExposed([7860, 5000], [8000], describe_)?.port).toBe(7860);
    expect(chooseExposed([], [8000], describe_)).toBeNull();
  });
});

describe('portInScript', () => {
  it('reads the explicit port of a start script', () => {
    const script = '#!/bin/bash\nservice redis-server start\n\n. /app/.venv/bin/activate\n\nuvicorn app:app --host=0.0.0.0 --port=8000';
    expect(portInScript(script, {}, 'start script start.sh').explicit).toEqual({ port: 8000, reason: '--port=8000 in start script start.sh' });
  });

  it('reads a port from a command line the script builds in a variable and evals', () => {
    const script = `NUM_SHARD=\${NUM_SHARD:-$(nvidia-smi --list-gpus | wc -l)}\nCMD="vllm serve $MODEL_PATH --host '0.0.0.0' --port 80 --tensor-parallel-size '$NUM_SHARD'"\neval $CMD`;
    expect(portInScript(script, {}, 'start script entrypoint.sh').explicit?.port).toBe(80);
  });

  it('falls back to the default of the server the script runs', () => {
    expect(portInScript('#!/bin/sh\nollama serve &\nsleep 5\nollama pull llama3\nwait', {}, 'start script entrypoint.sh')).toEqual({
      explicit: null,
      tool: expect.objectContaining({ port: 11434 }),
    });
  });
});

describe('imagePortDefault', () => {
  it.each([
    ['vllm/vllm-openai:v0.6.6.post1', 8000],
    ['ghcr.io/huggingface/text-generation-inference:3.0.2', 80],
    ['ghcr.io/huggingface/text-embeddings-inference:cpu-1.5', 80],
    ['nvcr.io/nvidia/tritonserver:24.05-py3', 8000],
    ['astromis/tritonserver:24.05-onnx-python-cpu', 8000],
    ['ollama/ollama', 11434],
    ['docker.io/ollama/ollama:0.6.5', 11434],
    ['pytorch/torchserve:0.3.0-gpu', 8080],
    ['tensorflow/serving:2.11.0-gpu', 8501],
    ['tiangolo/uvicorn-gunicorn-fastapi:python3.11', 80],
    ['jupyter/base-notebook:latest', 8888],
  ])('knows the port %s listens on', (image, port) => {
    expect(imagePortDefault(image)?.port).toBe(port);
  });

  it('knows nothing of general-purpose images', () => {
    expect(imagePortDefault('python:3.11-slim')).toBeNull();
    expect(imagePortDefault('nvidia/cuda:12.1.0-runtime-ubuntu22.04')).toBeNull();
  });
});
