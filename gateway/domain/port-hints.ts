import { commandWords, shellWords } from './shell-words.ts';

/** A port some part of an image points at, and how it was found, for people to read. */
export interface PortHint {
  readonly port: number;
  readonly reason: string;
}

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

function portOf(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return isPort(port) ? port : null;
}

/** `0.0.0.0:8000`, `[::]:8000`, `:8000`, `unix:…` (no port). */
function portAfterHost(text: string | undefined): number | null {
  const match = text === undefined ? null : /^(?:\[[0-9a-fA-F:]*\]|[A-Za-z0-9_.*-]*):(\d{1,5})$/.exec(text);
  return match ? portOf(match[1]) : null;
}

/** Flags whose value is the port, as uvicorn, gunicorn, Streamlit, Gradio apps, Jupyter, vLLM, TGI and most CLIs spell them. */
const PORT_FLAGS = new Set(['--port', '-p', '--server.port', '--server-port', '--server_port', '--http-port', '--listen-port', '--web-port', '--app-port']);
/** Flags whose value is `host:port`. */
const BIND_FLAGS = new Set(['--bind', '-b', '--listen', '--address', '--addr', '--host']);
/** Environment variables, set on a command line or by ENV, that servers read their port from. */
const PORT_VARIABLES = ['PORT', 'GRADIO_SERVER_PORT', 'STREAMLIT_SERVER_PORT', 'UVICORN_PORT', 'FLASK_RUN_PORT', 'SERVER_PORT', 'APP_PORT', 'LISTEN_PORT'];
const HOST_VARIABLES = ['OLLAMA_HOST', 'UVICORN_BIND', 'GUNICORN_BIND', 'BIND'];

/**
 * The port a command line names explicitly: `--port 8000`, `--port=8000`, `--server.port 8501`,
 * `-p 8000`, `--bind 0.0.0.0:8000`, `-b :8000`, `0.0.0.0:8000` (Django's runserver),
 * `python -m http.server 8000`, `PORT=8080 node …`. `where` names the command for the reason.
 */
export function portInCommand(words: readonly string[], where: string): PortHint | null {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    const [flag, inline] = word.startsWith('-') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (PORT_FLAGS.has(flag)) {
      const port = portOf(inline ?? next);
      if (port !== null) return { port, reason: `${inline === undefined ? `${flag} ${next}` : word} in ${where}` };
      const bound = portAfterHost(inline ?? next);
      if (bound !== null) return { port: bound, reason: `${inline === undefined ? `${flag} ${next}` : word} in ${where}` };
    }
    if (BIND_FLAGS.has(flag)) {
      const port = portAfterHost(inline ?? next);
      if (port !== null) return { port, reason: `${inline === undefined ? `${flag} ${next}` : word} in ${where}` };
    }
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word);
    if (assignment) {
      const [, name, value] = assignment;
      const port = PORT_VARIABLES.includes(name!) ? portOf(value) : HOST_VARIABLES.includes(name!) ? portAfterHost(value) : null;
      if (port !== null) return { port, reason: `${word} in ${where}` };
    }
    if ((word === 'http.server' || word === 'runserver') && next !== undefined) {
      const port = portOf(next) ?? portAfterHost(next);
      if (port !== null) return { port, reason: `${word} ${next} in ${where}` };
    }
    // A bare address argument (`gunicorn app 0.0.0.0:8000` is not valid, but `runserver 0.0.0.0:8000`, `serve 0.0.0.0:80` are).
    if (!word.startsWith('-') && /^(?:0\.0\.0\.0|\[::\]|::|\*|localhost|127\.0\.0\.1):\d+$/.test(word)) {
      const port = portAfterHost(word);
      if (port !== null) return { port, reason: `${word} in ${where}` };
    }
  }
  return null;
}

interface Tool {
  readonly name: string;
  readonly port: number;
  /** How many words, from where it starts, name it (`streamlit run` is 2). */
  readonly span?: number;
  /** True when `words[at]` starts this tool; `words` are the command's words. */
  readonly starts: (words: readonly string[], at: number) => boolean;
}

const program = (word: string | undefined): string => (word ?? '').split('/').pop()!;
const is = (name: string, subcommand?: readonly string[]) => (words: readonly string[], at: number): boolean =>
  program(words[at]) === name && (subcommand === undefined || subcommand.includes(words[at + 1] ?? ''));

/** Servers' own default ports, used when a command runs one without saying where it listens. */
const TOOLS: readonly Tool[] = [
  { name: 'Streamlit', port: 8501, span: 2, starts: is('streamlit', ['run']) },
  { name: 'uvicorn', port: 8000, starts: (words, at) => is('uvicorn')(words, at) && !words.includes('--uds') && !words.includes('--fd') },
  { name: 'gunicorn', port: 8000, starts: is('gunicorn') },
  { name: 'hypercorn', port: 8000, starts: is('hypercorn') },
  { name: 'the FastAPI CLI', port: 8000, span: 2, starts: is('fastapi', ['run', 'dev']) },
  { name: 'Flask', port: 5000, span: 2, starts: (words, at) => is('flask', ['run'])(words, at) || (words[at] === 'flask' && words[at - 1] === '-m' && words[at + 1] === 'run') },
  { name: 'Gradio', port: 7860, starts: is('gradio') },
  { name: 'Jupyter', port: 8888, starts: (words, at) => ['jupyter', 'jupyter-lab', 'jupyter-notebook', 'jupyterhub-singleuser', 'start-notebook.sh', 'start-notebook.py'].includes(program(words[at])) },
  { name: 'vLLM', port: 8000, span: 2, starts: (words, at) => is('vllm', ['serve'])(words, at) || /^vllm\.entrypoints\.(openai\.)?api_server$/.test(words[at] ?? '') },
  { name: 'text-generation-inference', port: 3000, starts: is('text-generation-launcher') },
  { name: 'text-generation-inference (llama.cpp)', port: 3000, starts: is('text-generation-router-llamacpp') },
  { name: 'text-embeddings-inference', port: 3000, starts: is('text-embeddings-router') },
  { name: 'Ollama', port: 11434, span: 2, starts: is('ollama', ['serve']) },
  { name: 'Triton', port: 8000, starts: is('tritonserver') },
  { name: 'TorchServe', port: 8080, starts: is('torchserve') },
  { name: 'BentoML', port: 3000, span: 2, starts: is('bentoml', ['serve']) },
  { name: 'llama.cpp server', port: 8080, starts: is('llama-server') },
  { name: 'MLflow', port: 5000, span: 2, starts: is('mlflow', ['ui', 'server']) },
  { name: 'TensorBoard', port: 6006, starts: is('tensorboard') },
  { name: "Python's http.server", port: 8000, starts: (words, at) => words[at] === 'http.server' && words[at - 1] === '-m' },
];

/** The default port of the first well-known server a command runs, e.g. `streamlit run app.py` → 8501. */
export function toolDefault(words: readonly string[], where: string): PortHint | null {
  for (let at = 0; at < words.length; at++) {
    const tool = TOOLS.find((candidate) => candidate.starts(words, at));
    if (!tool) continue;
    const shown = words.slice(at, at + (tool.span ?? 1)).join(' ');
    return { port: tool.port, reason: `${tool.name}'s default port ${tool.port} (${where} runs ${shown} without a port)` };
  }
  return null;
}

/** The port an image's environment sets for its server: `PORT`, then the variables Gradio, Streamlit, uvicorn, Flask and Ollama read. */
export function portInEnv(env: Readonly<Record<string, string>>, where: string): PortHint | null {
  for (const name of PORT_VARIABLES) {
    const port = portOf(env[name]?.trim());
    if (port !== null) return { port, reason: `${where} ${name}=${env[name]}` };
  }
  for (const name of HOST_VARIABLES) {
    const port = portAfterHost(env[name]?.trim());
    if (port !== null) return { port, reason: `${where} ${name}=${env[name]}` };
  }
  return null;
}

/** The port a shell script starts its server on, explicitly or by the tool's default. */
export function portInScript(text: string, env: Readonly<Record<string, string>>, where: string): { readonly explicit: PortHint | null; readonly tool: PortHint | null } {
  const words = commandWords(shellWords(text.replace(/^#!.*\n/, ''), env), env);
  return { explicit: portInCommand(words, where), tool: toolDefault(words, where) };
}

/**
 * Which of several EXPOSEd ports is the app's: the one the command names or its tool defaults
 * to, else the first that is not SSH's 22 (images that also run sshd list it first), else the first.
 */
export function chooseExposed(ports: readonly number[], preferred: readonly number[], describe: (port: number) => string): PortHint | null {
  if (ports.length === 0) return null;
  const all = ports.length > 1 ? ` (of ${ports.join(', ')})` : '';
  const named = preferred.find((port) => ports.includes(port));
  if (named !== undefined) return { port: named, reason: `${describe(named)}${all}${named !== ports[0] ? ', the one the command uses' : ''}` };
  const notSsh = ports.find((port) => port !== 22);
  if (notSsh !== undefined) return { port: notSsh, reason: `${describe(notSsh)}${all}${notSsh !== ports[0] ? '; 22 is SSH' : ''}` };
  return { port: ports[0]!, reason: describe(ports[0]!) };
}

/** Default ports of well-known serving images, for a final stage built FROM one of them. */
const IMAGE_PORTS: ReadonlyArray<readonly [RegExp, number, string]> = [
  [/^vllm\/vllm-openai$/, 8000, "vLLM's OpenAI server"],
  [/^ghcr\.io\/huggingface\/text-generation-inference$/, 80, 'text-generation-inference (the image sets PORT=80)'],
  [/^ghcr\.io\/huggingface\/text-embeddings-inference$/, 80, 'text-embeddings-inference (the image sets PORT=80)'],
  [/(?:^|\/)tritonserver$/, 8000, "Triton's HTTP endpoint"],
  [/^ollama\/ollama$/, 11434, "Ollama's API"],
  [/^pytorch\/torchserve$/, 8080, "TorchServe's inference API"],
  [/^tensorflow\/serving$/, 8501, "TensorFlow Serving's REST API"],
  [/^tiangolo\/(?:uvicorn-gunicorn(?:-fastapi)?|uwsgi-nginx(?:-flask)?|meinheld-gunicorn(?:-flask)?)$/, 80, "tiangolo's server"],
  [/^(?:quay\.io\/)?jupyter\/[a-z-]+-notebook$/, 8888, 'Jupyter'],
  [/^ghcr\.io\/ggml-org\/llama\.cpp$/, 8080, "llama.cpp's server"],
];

export function imagePortDefault(baseImage: string): PortHint | null {
  const path = baseImage.toLowerCase().split('@')[0]!.replace(/:[^/]*$/, '').replace(/^(?:docker\.io\/|index\.docker\.io\/)?(?:library\/)?/, '');
  const known = IMAGE_PORTS.find(([pattern]) => pattern.test(path));
  return known ? { port: known[1], reason: `base image ${baseImage}: ${known[2]} listens on ${known[1]}` } : null;
}

/** What a Dockerfile alone says about the app's port, strongest kind first; null where it says nothing of that kind. */
export interface DockerfilePortHints {
  /** EXPOSE of the final stage (own, else inherited from the stage it is built FROM). */
  readonly expose: PortHint | null;
  /** `ENV PORT` and the variables servers read. */
  readonly env: PortHint | null;
  /** An explicit port in the final ENTRYPOINT/CMD. */
  readonly command: PortHint | null;
  /** The default port of the server the command runs (`streamlit run` → 8501), or Gradio's when the image installs it and runs Python. */
  readonly tool: PortHint | null;
  /** The default port of a well-known serving base image. */
  readonly image: PortHint | null;
}

/** The words a container runs: an exec-form ENTRYPOINT followed by CMD, each word that is a command line split again. */
export function commandWordsOf(entrypoint: readonly string[], cmd: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return commandWords([...entrypoint, ...cmd], env);
}
