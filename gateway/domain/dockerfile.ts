import { DockerfileParser } from 'dockerfile-ast';
import type { Instruction, Property, PropertyInstruction } from 'dockerfile-ast';
import { type BuildkitUse, buildkitUse } from './buildkit.ts';
import { type PortSource, dockerfilePort } from './declared-port.ts';
import { gpuVerdict } from './gpu-signals.ts';
import { parseMemory } from './memory.ts';
import { type DockerfilePortHints, chooseExposed, commandWordsOf, imagePortDefault, portInCommand, portInEnv, toolDefault } from './port-hints.ts';
import { startScripts } from './start-scripts.ts';

/** What Portico needs to know about a Dockerfile before building it. */
export interface DockerfileAnalysis {
  /** The final stage's external base image, after following `FROM <stage>` chains and substituting ARGs. */
  readonly baseImage: string;
  /**
   * The port the Dockerfile alone points at: its EXPOSE (own or inherited; of several, the one the
   * command uses), else `ENV PORT` (or a server's own variable), else a port in the command, else
   * the default of the server the command runs or of a well-known base image, else 80.
   * `declarePort` adds the project's setting, the README and the built image.
   */
  readonly port: number;
  readonly portSource: PortSource;
  /** Why that port, for people: "EXPOSE 7860", "--server.port 8501 in CMD". */
  readonly portReason: string;
  /** Every kind of port hint the Dockerfile gives, for `declarePort`. */
  readonly hints: DockerfilePortHints;
  /** TCP ports the final stage EXPOSEs (own first, then inherited), in order. */
  readonly exposedPorts: readonly number[];
  /** ENV of the final stage and the stages it is built FROM, substituted. */
  readonly env: Readonly<Record<string, string>>;
  /** The final stage's ENTRYPOINT and CMD as the engine stores them (shell form becomes `/bin/sh -c …`); empty when not set in the Dockerfile. */
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** Build-context paths of scripts COPYed into the image that the command runs (read them for `declarePort`'s `scripts`). */
  readonly startScripts: readonly string[];
  /** The app needs an NVIDIA GPU: a CUDA base image, CUDA wheels or packages, or CUDA variables. */
  readonly gpu: boolean;
  /** Why the GPU verdict, for people. */
  readonly gpuReason: string;
  /** `major.minor`, e.g. `12.1`. */
  readonly cudaVersion: string | null;
  /** LABELs of the final stage and the stages it is built FROM, ARG/ENV substituted. */
  readonly labels: Readonly<Record<string, string>>;
  /** From `LABEL portico.gpu=<count>|off`. */
  readonly gpuLabel: number | 'off' | null;
  /** From `LABEL portico.memory`, or Ainize's `AINIZE_MEMORY_REQUIREMENT` (LABEL or ENV). */
  readonly memoryBytes: number | null;
  /** BuildKit-only syntax the file uses (`RUN --mount`, `COPY --chmod`/`--link`, heredocs), its `# syntax=` and secret mounts. */
  readonly buildkit: BuildkitUse;
}

export type AnalysisResult =
  | { readonly ok: true; readonly analysis: DockerfileAnalysis }
  | { readonly ok: false; readonly error: string };

const INSTRUCTIONS = [
  'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER',
];

/**
 * BuildKit predefines these in the global scope. Portico runs linux/amd64 hosts, so they
 * take those values unless a build arg says otherwise.
 */
const PLATFORM_ARGS: Readonly<Record<string, string>> = {
  BUILDPLATFORM: 'linux/amd64', BUILDOS: 'linux', BUILDARCH: 'amd64', BUILDVARIANT: '',
  TARGETPLATFORM: 'linux/amd64', TARGETOS: 'linux', TARGETARCH: 'amd64', TARGETVARIANT: '',
};

const GPU_LABEL = 'portico.gpu';
const MEMORY_LABEL = 'portico.memory';
const AINIZE_MEMORY = 'AINIZE_MEMORY_REQUIREMENT';

/** Docker's image reference grammar (distribution/reference), so a typo fails before the build does. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
    '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** Thrown inside this module only; `analyseDockerfile` turns it into `{ ok: false }`. */
class DockerfileProblem extends Error {}

function problemAt(line: number, message: string): never {
  throw new DockerfileProblem(`Dockerfile line ${line}: ${message}`);
}

interface Sourced {
  readonly value: string;
  readonly line: number;
}

/** A file COPYed or ADDed from the build context (not `--from` a stage), with the WORKDIR it was copied under. */
export interface ContextCopy {
  readonly sources: readonly string[];
  readonly destination: string;
  readonly workdir: string;
}

/**
 * One build stage as far as it has been read. ENV, LABEL, EXPOSE, WORKDIR, ENTRYPOINT, CMD and
 * what was copied and run carry over to stages built FROM it; ARGs do not.
 */
interface Stage {
  readonly alias: string | null;
  readonly line: number;
  readonly baseImage: string;
  readonly env: Map<string, Sourced>;
  readonly labels: Map<string, Sourced>;
  readonly args: Map<string, string>;
  readonly argLines: Map<string, number>;
  readonly inheritedPorts: readonly number[];
  readonly ownPorts: number[];
  readonly runs: Array<{ readonly text: string; readonly line: number }>;
  readonly copies: ContextCopy[];
  workdir: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** CMD was set in this stage: a later ENTRYPOINT keeps it (otherwise ENTRYPOINT clears an inherited CMD, as in Docker). */
  cmdSetHere: boolean;
}

interface Context {
  readonly escape: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** ARGs declared before the first FROM; `undefined` when declared without a value. */
  readonly globals: Map<string, string | undefined>;
  readonly stages: Stage[];
}

/**
 * Reads a Dockerfile the way `docker build` would, far enough to place the container: base
 * image, port, GPU and memory needs. Never throws: anything wrong is `{ ok: false, error }`
 * with a message naming the line and what to change.
 */
export function analyseDockerfile(text: string, buildArgs: Readonly<Record<string, string>> = {}): AnalysisResult {
  try {
    return { ok: true, analysis: analyse(text, buildArgs) };
  } catch (error) {
    if (error instanceof DockerfileProblem) return { ok: false, error: error.message };
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the Dockerfile could not be read (${reason}); check its syntax with docker build` };
  }
}

function analyse(text: string, buildArgs: Readonly<Record<string, string>>): DockerfileAnalysis {
  const dockerfile = DockerfileParser.parse(text.replace(/^\uFEFF/, ''));
  const instructions = dockerfile.getInstructions();
  if (instructions.length === 0) {
    throw new DockerfileProblem('the Dockerfile is empty: it needs at least a FROM line naming the base image, e.g. FROM python:3.11-slim');
  }
  for (const instruction of instructions) checkKeyword(instruction);
  if (!instructions.some((instruction) => instruction.getKeyword() === 'FROM')) {
    throw new DockerfileProblem('the Dockerfile has no FROM instruction: start it with the base image, e.g. FROM python:3.11-slim');
  }

  const context: Context = { escape: dockerfile.getEscapeCharacter(), buildArgs, globals: new Map(), stages: [] };
  let stage: Stage | null = null;
  for (const instruction of instructions) {
    const line = lineOf(instruction);
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      stage = startStage(context, instruction, line);
      context.stages.push(stage);
    } else if (keyword === 'ARG') {
      if (stage) stageArg(context, stage, instruction, line);
      else globalArg(context, instruction, line);
    } else if (!stage) {
      problemAt(line, `${instruction.getInstruction()} comes before the first FROM; only ARG may appear there`);
    } else if (keyword === 'ENV') {
      assign(context, stage, stage.env, instruction, line, 'ENV');
    } else if (keyword === 'LABEL') {
      assign(context, stage, stage.labels, instruction, line, 'LABEL');
    } else if (keyword === 'EXPOSE') {
      expose(context, stage, instruction, line);
    } else if (keyword === 'RUN') {
      stage.runs.push({ text: instruction.getArgumentsContent() ?? '', line });
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      copy(context, stage, instruction, line);
    } else if (keyword === 'WORKDIR') {
      stage.workdir = workdir(context, stage, instruction, line);
    } else if (keyword === 'CMD') {
      stage.cmd = commandOf(context, instruction);
      stage.cmdSetHere = true;
    } else if (keyword === 'ENTRYPOINT') {
      stage.entrypoint = commandOf(context, instruction);
      if (!stage.cmdSetHere) stage.cmd = null;
    }
  }

  const final = context.stages[context.stages.length - 1]!;
  const env = Object.fromEntries([...final.env].map(([name, variable]) => [name, variable.value]));
  envPort(final);
  const entrypoint = final.entrypoint ?? [];
  // A shell-form ENTRYPOINT ignores CMD.
  const cmd = isShellForm(entrypoint) ? [] : (final.cmd ?? []);
  const words = commandWordsOf(entrypoint, cmd, env);
  const where = entrypoint.length > 0 && cmd.length > 0 ? 'ENTRYPOINT/CMD' : entrypoint.length > 0 ? 'ENTRYPOINT' : 'CMD';
  const hints = portHints(final, env, words, where);
  const declared = dockerfilePort(hints);
  const exposedPorts = [...final.ownPorts, ...final.inheritedPorts.filter((port) => !final.ownPorts.includes(port))];
  const variables = new Map<string, { value: string; line: number; keyword: 'ENV' | 'ARG' }>();
  for (const [name, value] of final.args) variables.set(name, { value, line: final.argLines.get(name) ?? final.line, keyword: 'ARG' });
  for (const [name, variable] of final.env) variables.set(name, { ...variable, keyword: 'ENV' });
  const gpu = gpuVerdict({ baseImage: final.baseImage, runs: final.runs, variables });
  return {
    baseImage: final.baseImage,
    port: declared.port,
    portSource: declared.source,
    portReason: declared.reason,
    hints,
    exposedPorts,
    env,
    entrypoint,
    cmd,
    startScripts: startScripts(words, final.copies, final.workdir),
    gpu: gpu.gpu,
    gpuReason: gpu.reason,
    cudaVersion: gpu.cudaVersion,
    labels: Object.fromEntries([...final.labels].map(([name, label]) => [name, label.value])),
    gpuLabel: gpuLabelOf(final.labels.get(GPU_LABEL)),
    memoryBytes: memoryOf(final),
    buildkit: buildkitUse(dockerfile),
  };
}

function portHints(final: Stage, env: Readonly<Record<string, string>>, words: readonly string[], where: string): DockerfilePortHints {
  const command = portInCommand(words, where);
  const tool = toolDefault(words, where) ?? gradioDefault(final, words, where);
  const inherited = final.ownPorts.length === 0;
  const describeExpose = (port: number): string => `EXPOSE ${port}${inherited ? ' (in an earlier stage this one is built FROM)' : ''}`;
  const used = command ?? tool;
  const chosen = chooseExposed(inherited ? final.inheritedPorts : final.ownPorts, [command?.port, tool?.port].filter((port) => port !== undefined), describeExpose);
  // EXPOSE still comes first, but a command that says otherwise is worth saying: the start check may find the app there.
  const expose = chosen && used && used.port !== chosen.port ? { port: chosen.port, reason: `${chosen.reason}; yet ${used.reason}` } : chosen;
  return { expose, env: portInEnv(env, 'ENV'), command, tool, image: imagePortDefault(final.baseImage) };
}

/** The engine's form of a CMD or ENTRYPOINT: the JSON array, or `/bin/sh -c <text>` for the shell form. */
function commandOf(context: Context, instruction: Instruction): string[] {
  const json = jsonForm(context, instruction);
  if (json) return json;
  const text = instruction.getArgumentsContent() ?? '';
  return text === '' ? [] : ['/bin/sh', '-c', text];
}

/** The words of an exec-form (JSON array) instruction; null when it is not a JSON array of strings, which Docker runs as shell form. */
function jsonForm(context: Context, instruction: Instruction): string[] | null {
  const continuation = new RegExp(`${context.escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[ \t]*\r?\n`, 'g');
  const raw = (instruction.getRawArgumentsContent() ?? '').replace(continuation, '').trim();
  if (!raw.startsWith('[')) return null;
  try {
    const words: unknown = JSON.parse(raw);
    return Array.isArray(words) && words.every((word) => typeof word === 'string') ? words : null;
  } catch {
    return null;
  }
}

function isShellForm(command: readonly string[]): boolean {
  return command.length === 3 && command[0] === '/bin/sh' && command[1] === '-c';
}

/** Gradio apps are started as `python app.py`; when the image installs gradio and runs Python, Gradio's 7860 is the likely port. */
function gradioDefault(stage: Stage, words: readonly string[], where: string): DockerfilePortHints['tool'] {
  const runsPython = words.some((word) => /^(?:.*\/)?python(?:3(?:\.\d+)?)?$/.test(word));
  const installs = stage.runs.find((run) => /\b(?:pip3?|uv pip|poetry|conda|mamba)\b[^\n]*\bgradio\b/.test(run.text));
  const configured = [...stage.env.keys()].some((name) => name.startsWith('GRADIO_'));
  if (!runsPython || (!installs && !configured)) return null;
  const because = installs ? `RUN installs gradio (line ${installs.line})` : 'ENV sets GRADIO_ variables';
  return { port: 7860, reason: `Gradio's default port 7860 (${because} and ${where} runs Python)` };
}

function copy(context: Context, stage: Stage, instruction: Instruction, line: number): void {
  const flags = (instruction as unknown as { getFlags(): Array<{ getName(): string }> }).getFlags();
  if (flags.some((flag) => flag.getName().toLowerCase() === 'from')) return;
  const words = jsonForm(context, instruction) ?? instruction.getArguments().map((argument) => argument.getValue());
  if (words.length < 2 || words.some((word) => word.startsWith('<<'))) return;
  const resolve = (word: string): string => expand(context, word, { line, what: word }, (name) => stageValue(stage, name), () => '');
  stage.copies.push({ sources: words.slice(0, -1).map(resolve), destination: resolve(words[words.length - 1]!), workdir: stage.workdir });
}

function workdir(context: Context, stage: Stage, instruction: Instruction, line: number): string {
  const raw = instruction.getArguments().map((argument) => argument.getValue()).join(' ');
  const path = expand(context, raw, { line, what: `WORKDIR ${raw}` }, (name) => stageValue(stage, name), () => '');
  const joined = path.startsWith('/') ? path : `${stage.workdir.replace(/\/$/, '')}/${path}`;
  return joined.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

function checkKeyword(instruction: Instruction): void {
  if (INSTRUCTIONS.includes(instruction.getKeyword())) return;
  const written = instruction.getInstruction();
  const guess = closestInstruction(written.toUpperCase());
  problemAt(lineOf(instruction), `unknown instruction '${written}'${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** The one instruction within two edits of a typo, if exactly one is. */
function closestInstruction(word: string): string | null {
  const near = INSTRUCTIONS.filter((keyword) => editDistance(word, keyword) <= 2);
  return near.length === 1 ? near[0]! : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function buildArg(context: Context, name: string): string | undefined {
  return Object.hasOwn(context.buildArgs, name) ? context.buildArgs[name] : undefined;
}

/** What FROM lines and global ARG defaults can see: global ARGs and BuildKit's platform ARGs. */
function globalValue(context: Context, name: string): string | undefined {
  if (context.globals.has(name)) return context.globals.get(name);
  return Object.hasOwn(PLATFORM_ARGS, name) ? (buildArg(context, name) ?? PLATFORM_ARGS[name]) : undefined;
}

/** What instructions inside a stage can see; ENV wins over an ARG of the same name, as in Docker. */
function stageValue(stage: Stage, name: string): string | undefined {
  return stage.env.get(name)?.value ?? stage.args.get(name);
}

function propertiesOf(instruction: Instruction, line: number, usage: string): Property[] {
  const properties = (instruction as PropertyInstruction).getProperties();
  return properties.length > 0 ? properties : problemAt(line, usage);
}

function globalArg(context: Context, instruction: Instruction, line: number): void {
  for (const property of propertiesOf(instruction, line, 'ARG needs a name, e.g. ARG PYTHON_VERSION=3.11')) {
    const name = property.getName();
    const raw = property.getUnescapedValue();
    const value =
      buildArg(context, name) ??
      (raw === null ? undefined : expand(context, raw, { line, what: `ARG ${name}=${raw}` }, (variable) => globalValue(context, variable), () => ''));
    context.globals.set(name, value);
  }
}

function stageArg(context: Context, stage: Stage, instruction: Instruction, line: number): void {
  for (const property of propertiesOf(instruction, line, 'ARG needs a name, e.g. ARG PYTHON_VERSION=3.11')) {
    const name = property.getName();
    const raw = property.getUnescapedValue();
    // `ARG NAME` without a value inside a stage re-imports the global (or platform) ARG of that name.
    const value =
      buildArg(context, name) ??
      (raw === null
        ? globalValue(context, name)
        : expand(context, raw, { line, what: `ARG ${name}=${raw}` }, (variable) => stageValue(stage, variable), () => ''));
    if (value !== undefined) {
      stage.args.set(name, value);
      stage.argLines.set(name, line);
    }
  }
}

function startStage(context: Context, instruction: Instruction, line: number): Stage {
  const words = instruction.getArguments().map((argument) => argument.getValue());
  // Flags (`--platform=…`) come first and do not matter here.
  const firstOperand = words.findIndex((word) => !word.startsWith('--'));
  const [rawImage, as, rawAlias, ...extra] = firstOperand < 0 ? [] : words.slice(firstOperand);
  if (rawImage === undefined) return problemAt(line, 'FROM needs a base image, e.g. FROM python:3.11-slim');
  if (as !== undefined && (as.toLowerCase() !== 'as' || rawAlias === undefined || extra.length > 0)) {
    problemAt(line, `FROM ${words.join(' ')} is not understood; write FROM <image> or FROM <image> AS <name>`);
  }

  const image = expand(context, rawImage, { line, what: `FROM ${rawImage}` }, (name) => globalValue(context, name), (name) =>
    context.globals.has(name)
      ? problemAt(line, `FROM ${rawImage} uses ARG ${name} which has no default and no build arg was given; give it a default (ARG ${name}=<value>) or pass the build arg`)
      : problemAt(line, `FROM ${rawImage} uses ${name}, but no ARG ${name} comes before the first FROM; declare it there, e.g. ARG ${name}=<value>`),
  );
  if (image === '') problemAt(line, `FROM ${rawImage} names no image; give it a value`);

  const alias = rawAlias === undefined ? null : checkAlias(context, rawAlias, line);
  const parent = context.stages.find((stage) => stage.alias === image.toLowerCase());
  if (parent) {
    return {
      alias,
      line,
      baseImage: parent.baseImage,
      env: new Map(parent.env),
      labels: new Map(parent.labels),
      args: new Map(),
      argLines: new Map(),
      inheritedPorts: parent.ownPorts.length > 0 ? [...parent.ownPorts] : parent.inheritedPorts,
      ownPorts: [],
      runs: [...parent.runs],
      copies: [...parent.copies],
      workdir: parent.workdir,
      entrypoint: parent.entrypoint,
      cmd: parent.cmd,
      cmdSetHere: false,
    };
  }
  if (image !== 'scratch' && !IMAGE_REFERENCE.test(image)) {
    problemAt(line, `FROM ${rawImage}: '${image}' is not a valid image name (lowercase, e.g. python:3.11-slim or ghcr.io/owner/image:tag) nor an earlier stage`);
  }
  return {
    alias,
    line,
    baseImage: image,
    env: new Map(),
    labels: new Map(),
    args: new Map(),
    argLines: new Map(),
    inheritedPorts: [],
    ownPorts: [],
    runs: [],
    copies: [],
    workdir: '/',
    entrypoint: null,
    cmd: null,
    cmdSetHere: false,
  };
}

/** Stage names are case-insensitive in Docker; they are kept lowercased. */
function checkAlias(context: Context, rawAlias: string, line: number): string {
  const alias = rawAlias.toLowerCase();
  if (!/^[a-z][a-z0-9_.-]*$/.test(alias)) {
    problemAt(line, `'${rawAlias}' is not a valid stage name: start with a letter, then letters, digits, '-', '_' or '.'`);
  }
  const earlier = context.stages.find((stage) => stage.alias === alias);
  if (earlier) problemAt(line, `stage name '${rawAlias}' is already used on line ${earlier.line}; pick another`);
  return alias;
}

/** ENV and LABEL: every value is substituted with the variables as they were before this instruction. */
function assign(context: Context, stage: Stage, target: Map<string, Sourced>, instruction: Instruction, line: number, keyword: string): void {
  const resolve = (name: string): string | undefined => stageValue(stage, name);
  const entries = propertiesOf(instruction, line, `${keyword} needs NAME=value, e.g. ${keyword} PORT=7860`).map((property) => {
    const rawName = property.getName();
    const name = expand(context, rawName, { line, what: `${keyword} ${rawName}` }, resolve, () => '');
    const raw = property.getUnescapedValue();
    if (raw === null) return problemAt(line, `${keyword} ${name} has no value; write ${keyword} ${name}=<value>`);
    return [name, expand(context, raw, { line, what: `${keyword} ${rawName}=${raw}` }, resolve, () => '')] as const;
  });
  for (const [name, value] of entries) target.set(name, { value, line });
}

function expose(context: Context, stage: Stage, instruction: Instruction, line: number): void {
  const words = instruction.getArguments().map((argument) => argument.getValue());
  if (words.length === 0) problemAt(line, 'EXPOSE needs a port, e.g. EXPOSE 8000');
  for (const raw of words) {
    const text = expand(context, raw, { line, what: `EXPOSE ${raw}` }, (name) => stageValue(stage, name), (name) =>
      problemAt(line, `EXPOSE ${raw} uses ${name}, which has no value here; set it first, e.g. ARG ${name}=8000 or ENV ${name}=8000`),
    );
    const ports = text.split(/\s+/).filter(Boolean);
    if (ports.length === 0) problemAt(line, `EXPOSE ${raw} is empty; write e.g. EXPOSE 8000`);
    for (const port of ports) {
      const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
      const number = Number(match?.[1]);
      const last = Number(match?.[2] ?? number);
      if (!match || !isPort(number) || !isPort(last) || last < number) {
        problemAt(line, `EXPOSE ${raw}${port === raw ? '' : ` (${port})`} is not a port; write e.g. EXPOSE 8000 or EXPOSE 8000/tcp`);
      }
      const tcp = (match[3] ?? 'tcp').toLowerCase() === 'tcp';
      if (tcp && !stage.ownPorts.includes(number)) stage.ownPorts.push(number);
    }
  }
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** A set `ENV PORT` must be a port: the container gets PORT from Portico, and a typo there is the Dockerfile's. */
function envPort(stage: Stage): number | null {
  const port = stage.env.get('PORT');
  if (!port) return null;
  const number = /^\d+$/.test(port.value.trim()) ? Number(port.value) : NaN;
  return isPort(number) ? number : problemAt(port.line, `ENV PORT=${port.value} is not a port; use a number from 1 to 65535`);
}

function gpuLabelOf(label: Sourced | undefined): number | 'off' | null {
  if (!label) return null;
  const text = label.value.trim().toLowerCase();
  if (text === 'off') return 'off';
  if (text === 'auto') return null;
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return problemAt(label.line, `LABEL ${GPU_LABEL}=${label.value} is not understood; use a GPU count such as ${GPU_LABEL}=1, or ${GPU_LABEL}=off`);
}

/** `portico.memory` wins over Ainize's variable; a LABEL wins over an ENV. */
function memoryOf(stage: Stage): number | null {
  const candidates: Array<[string, string, Sourced | undefined]> = [
    ['LABEL', MEMORY_LABEL, stage.labels.get(MEMORY_LABEL)],
    ['LABEL', AINIZE_MEMORY, stage.labels.get(AINIZE_MEMORY)],
    ['ENV', AINIZE_MEMORY, stage.env.get(AINIZE_MEMORY)],
  ];
  for (const [keyword, name, source] of candidates) {
    if (!source) continue;
    return parseMemory(source.value) ?? problemAt(source.line, `${keyword} ${name}=${source.value} is not a memory size; use e.g. 512m, 4g or 2Gi`);
  }
  return null;
}

/**
 * Docker's word expansion for one word: quotes, the escape character, `$NAME`, `${NAME}`,
 * `${NAME:-default}`, `${NAME:+alternative}`, `${NAME:?message}` (and their forms without `:`).
 * `onUnset` decides what an unset variable without a default becomes (or throws).
 */
function expand(
  context: Context,
  word: string,
  at: { readonly line: number; readonly what: string },
  resolve: (name: string) => string | undefined,
  onUnset: (name: string) => string,
): string {
  const { escape } = context;
  const fail = (message: string): never => problemAt(at.line, `${at.what}: ${message}`);
  const nameAt = (index: number): string => /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.slice(index))?.[0] ?? '';

  /** Reads from `start` up to the end of the word, or up to the `}` that closes a `${`. `live` is false in a branch not taken. */
  const scan = (start: number, inBraces: boolean, live: boolean): [string, number] => {
    let out = '';
    let i = start;
    while (i < word.length) {
      const char = word[i]!;
      if (inBraces && char === '}') return [out, i];
      if (char === escape) {
        out += word[i + 1] ?? char;
        i += 2;
      } else if (char === "'") {
        const end = word.indexOf("'", i + 1);
        if (end < 0) fail('a single quote is never closed');
        out += word.slice(i + 1, end);
        i = end + 1;
      } else if (char === '"') {
        i++;
        while (word[i] !== '"') {
          if (i >= word.length) fail('a double quote is never closed');
          const inner = word[i]!;
          const next = word[i + 1];
          if (inner === escape && (next === '"' || next === '$' || next === escape)) {
            out += next;
            i += 2;
          } else if (inner === '$') {
            const [text, end] = variable(i, live);
            out += text;
            i = end;
          } else {
            out += inner;
            i++;
          }
        }
        i++;
      } else if (char === '$') {
        const [text, end] = variable(i, live);
        out += text;
        i = end;
      } else {
        out += char;
        i++;
      }
    }
    if (inBraces) fail('a ${ is never closed with }');
    return [out, i];
  };

  const valueOf = (name: string, live: boolean): string => resolve(name) ?? (live ? onUnset(name) : '');

  /** Expands the variable whose `$` is at `dollar`; returns its text and the index after it. */
  const variable = (dollar: number, live: boolean): [string, number] => {
    if (word[dollar + 1] !== '{') {
      const name = nameAt(dollar + 1);
      return name ? [valueOf(name, live), dollar + 1 + name.length] : ['$', dollar + 1];
    }
    const name = nameAt(dollar + 2);
    if (!name) fail('bad substitution: ${ must be followed by a variable name');
    let i = dollar + 2 + name.length;
    if (word[i] === '}') return [valueOf(name, live), i + 1];
    if (i >= word.length) fail('a ${ is never closed with }');
    const operator =
      /^:?[-+?]/.exec(word.slice(i))?.[0] ??
      fail(`\${${name}${word[i] ?? ''}…} is not supported; use \${${name}}, \${${name}:-default} or \${${name}:+alternative}`);
    i += operator.length;
    const value = resolve(name);
    const present = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    const kind = operator[operator.length - 1];
    const usesWord = kind === '+' ? present : !present;
    const [text, end] = scan(i, true, live && usesWord);
    if (kind === '-') return [present ? value! : text, end + 1];
    if (kind === '+') return [present ? text : '', end + 1];
    if (!present && live) fail(`${name}: ${text || 'is not set'}`);
    return [value ?? '', end + 1];
  };

  return scan(0, false, true)[0];
}
