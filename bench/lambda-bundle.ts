/**
 * The gateway Lambda's bundle: functions/gateway.ts bundled exactly as the CDK stack bundles it
 * (cdk/constructs/lambda-bundling.ts `gatewayBuildOptions`: split at its `import()`s), the
 * minified size of what a cold start loads (index.mjs and the chunks it imports statically) and
 * of the whole asset, the biggest packages, and the cold module-load time: fresh `node`
 * processes importing the bundle against fresh `node` processes importing an empty module,
 * interleaved; then what each lazy chunk adds to the first request that loads it.
 * Goals from issue 13: under 300 KB minified, under 100 ms to load. Run alone with
 * `npx tsx bench/lambda-bundle.ts`; `npm run bench` runs it first.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { RUNTIME_SDK, esbuildOptions, gatewayBuildOptions } from '../cdk/constructs/lambda-bundling.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Inside the checkout so the bundle's `@aws-sdk/*` imports resolve from node_modules, as they resolve from the runtime's on Lambda. */
const OUT_DIR = fileURLToPath(new URL('../node_modules/.cache/portico-lambda-bench/', import.meta.url));
const LOAD_RUNS = 20;
const GOAL_KB = 300;
const GOAL_LOAD_MS = 100;

/** What loadAwsConfig needs at module load; dummy values, as the stack would set real ones. */
const DUMMY_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  PORTICO_TABLE_NAME: 'portico-bench',
  PORTICO_CLUSTER_ARN: 'arn:aws:ecs:eu-west-1:123456789012:cluster/portico',
  PORTICO_BUILD_PROJECT: 'portico-builds',
  PORTICO_ECR_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  PORTICO_TASK_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/exec',
  PORTICO_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/task',
  PORTICO_TASK_LOG_GROUP: '/portico/demos',
  PORTICO_TASK_SECURITY_GROUP: 'sg-0demos',
  PORTICO_TASK_SUBNETS: 'subnet-0a,subnet-0b',
  PORTICO_GPU_POOLS: '[]',
  PORTICO_TOKEN_SHA256: '0'.repeat(64),
};

/** What Lambda's runtime defines before it imports a handler module (streamHandle calls it at load). */
const AWSLAMBDA_GLOBAL = 'globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };';

export interface PackageShare {
  readonly name: string;
  readonly kb: number;
}

/** One output module of the split bundle. */
export interface BundleModule {
  readonly file: string;
  readonly kb: number;
  /** Loaded by a cold start (index.mjs and what it imports statically), or by the first `import()` that needs it. */
  readonly cold: boolean;
}

export interface LambdaBundleResult {
  readonly esbuild: Record<string, unknown>;
  /** What a cold start loads: index.mjs and the chunks it imports statically. */
  readonly minifiedKb: number;
  readonly gzipKb: number;
  readonly goalKb: number;
  /** Every module of the asset, the lazily loaded chunks included. */
  readonly totalKb: number;
  readonly modules: readonly BundleModule[];
  /** Of the cold-start modules. */
  readonly topPackages: readonly PackageShare[];
  /** Of the lazily loaded chunks. */
  readonly lazyPackages: readonly PackageShare[];
  readonly load: {
    readonly runs: number;
    /** Wall time of `node loader.mjs` importing the bundle, minus the same for an empty module. */
    readonly medianMs: number;
    readonly p90Ms: number;
    readonly bundleProcessMedianMs: number;
    readonly baselineProcessMedianMs: number;
    /** `import()` of the bundle timed inside the process (no process start-up at all). */
    readonly importMedianMs: number;
    /** The AWS SDK packages the bundle imports statically (the rest load on first use), and their own `import()` time. */
    readonly staticSdk: readonly string[];
    readonly staticSdkImportMedianMs: number;
    /** `import()` of the bundle minus that of the SDK it loads at once, pairwise: Portico's own share of the load. */
    readonly ownImportMedianMs: number;
    /** Each lazy chunk's own `import()` time, after index.mjs: what it adds to the first request that needs it. */
    readonly lazyChunks: readonly { readonly file: string; readonly importMedianMs: number }[];
    readonly goalMs: number;
    readonly node: string;
  };
  readonly zod: readonly { readonly variant: string; readonly kb: number; readonly note: string }[];
}

export async function measureLambdaBundle(log: (line: string) => void = console.log): Promise<LambdaBundleResult> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const options = gatewayBuildOptions(OUT_DIR);
  const result = await build({ ...options, absWorkingDir: ROOT, metafile: true, logLevel: 'warning' });
  const outputs = splitOutputs(result.metafile);
  const cold = outputs.filter((output) => output.cold);
  const lazy = outputs.filter((output) => !output.cold);
  const kbOf = (list: readonly SplitOutput[]) => round(list.reduce((sum, output) => sum + output.bytes, 0) / 1024, 1);
  const minifiedKb = kbOf(cold);
  const totalKb = kbOf(outputs);
  const gzipKb = round(cold.reduce((sum, output) => sum + gzipSync(readFileSync(output.path)).length, 0) / 1024, 1);
  const topPackages = packagesOf(cold).slice(0, 10);
  const lazyPackages = packagesOf(lazy).slice(0, 10);
  const modules = outputs.map((output) => ({ file: output.file, kb: round(output.bytes / 1024, 1), cold: output.cold }));
  log(`lambda bundle: functions/gateway.ts → a cold start loads ${minifiedKb} KB minified (${gzipKb} KB gzipped; ${cold.map((output) => output.file).join(' + ')}), goal < ${GOAL_KB} KB: ${minifiedKb < GOAL_KB ? 'met' : 'NOT met'}`);
  log(`  the whole asset: ${totalKb} KB; loaded on first use: ${lazy.map((output) => `${output.file} ${round(output.bytes / 1024, 1)} KB`).join(', ') || 'nothing'}`);
  log(`  esbuild: --bundle --splitting --platform=node --format=${options.format} --target=${options.target} --minify --sourcemap ${RUNTIME_SDK.map((name) => `--external:${name}`).join(' ')} --banner:js=… ${Object.keys(options.alias).map((name) => `--alias:${name}=…`).join(' ')}`);
  log(`  biggest packages at cold start: ${topPackages.map((share) => `${share.name} ${share.kb} KB`).join(', ')}`);
  log(`  biggest packages loaded on first use: ${lazyPackages.map((share) => `${share.name} ${share.kb} KB`).join(', ')}`);

  const load = await measureLoad(`${OUT_DIR}index.mjs`, cold, lazy, log);
  const zod = await zodVariants(log);
  return { esbuild: { ...options, entryPoints: ['functions/gateway.ts'], outdir: 'node_modules/.cache/portico-lambda-bench' }, minifiedKb, gzipKb, goalKb: GOAL_KB, totalKb, modules, topPackages, lazyPackages, load, zod };
}

interface SplitOutput {
  readonly path: string;
  /** Relative to the asset's root: `index.mjs`, `chunks/…`. */
  readonly file: string;
  readonly bytes: number;
  readonly cold: boolean;
  readonly inputs: Metafile['outputs'][string]['inputs'];
}

/** The JavaScript outputs, each marked cold when index.mjs reaches it through static imports. */
function splitOutputs(metafile: Metafile): SplitOutput[] {
  const scripts = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const entry = scripts.find(([, output]) => output.entryPoint !== undefined);
  if (!entry) throw new Error("esbuild's metafile has no entry point output");
  const cold = new Set<string>();
  const pending = [entry[0]];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (cold.has(path)) continue;
    cold.add(path);
    for (const imported of metafile.outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  const absolute = (path: string) => join(ROOT, path); // the metafile's paths are relative to absWorkingDir
  return scripts
    .map(([path, output]) => ({ path: absolute(path), file: absolute(path).slice(OUT_DIR.length), bytes: output.bytes, cold: cold.has(path), inputs: output.inputs }))
    .sort((a, b) => Number(b.cold) - Number(a.cold) || b.bytes - a.bytes);
}

/** Bytes in the outputs per package (node_modules/<name> or <@scope/name>); Portico's own files as "portico". */
function packagesOf(outputs: readonly SplitOutput[]): PackageShare[] {
  const totals = new Map<string, number>();
  for (const output of outputs) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match ? match[1]! : 'portico (own code)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, total]) => ({ name, kb: round(total / 1024, 1) })).sort((a, b) => b.kb - a.kb);
}

async function measureLoad(outfile: string, cold: readonly SplitOutput[], lazy: readonly SplitOutput[], log: (line: string) => void): Promise<LambdaBundleResult['load']> {
  const bundleLoader = `${OUT_DIR}load-bundle.mjs`;
  const emptyLoader = `${OUT_DIR}load-empty.mjs`;
  await writeFile(`${OUT_DIR}empty.mjs`, 'export const handler = () => undefined;\n');
  // Both loaders are the same but for the module they import, and both print the import's own time.
  const loader = (target: string) =>
    `${AWSLAMBDA_GLOBAL}\nconst began = performance.now();\nawait import(${JSON.stringify(pathToFileURL(target).href)});\nprocess.stdout.write(String(performance.now() - began));\n`;
  await writeFile(bundleLoader, loader(outfile));
  await writeFile(emptyLoader, loader(`${OUT_DIR}empty.mjs`));
  // The runtime's SDK the bundle loads at once: the cold modules' static imports of externals, read from the output.
  const staticSdk = [...new Set(cold.flatMap((output) => [...readFileSync(output.path, 'utf8').matchAll(/\bfrom\s*"(@aws-sdk\/[^"]+|@smithy\/[^"]+)"/g)].map((match) => match[1]!)))].sort();
  const sdkLoader = `${OUT_DIR}load-sdk.mjs`;
  await writeFile(`${OUT_DIR}sdk.mjs`, staticSdk.map((name) => `import ${JSON.stringify(name)};`).join('\n') + '\n');
  await writeFile(sdkLoader, loader(`${OUT_DIR}sdk.mjs`));
  // A lazy chunk after the bundle, as the first request that needs it loads it: only the chunk's own import is timed.
  const chunkLoaders = await Promise.all(
    lazy.map(async (output) => {
      const file = `${OUT_DIR}load-${basename(output.file, '.mjs')}.mjs`;
      await writeFile(file, `${AWSLAMBDA_GLOBAL}\nawait import(${JSON.stringify(pathToFileURL(outfile).href)});\nconst began = performance.now();\nawait import(${JSON.stringify(pathToFileURL(output.path).href)});\nprocess.stdout.write(String(performance.now() - began));\n`);
      return { file: output.file, loader: file, runs: [] as number[] };
    }),
  );
  const env = { PATH: process.env['PATH'] ?? '', ...DUMMY_ENV };

  const run = (file: string) => {
    const began = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [file], { env, cwd: ROOT, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
    if (child.status !== 0) throw new Error(`node ${file} failed (${child.status}): ${String(child.stderr).slice(-2000)}`);
    return { wallMs, importMs: Number(child.stdout) };
  };
  run(bundleLoader); // the first read of every file from disk is not a Lambda cold start either: Lambda's disk cache is warm for the runtime's SDK
  run(emptyLoader);
  const bundleRuns: number[] = [];
  const baselineRuns: number[] = [];
  const importRuns: number[] = [];
  const sdkImportRuns: number[] = [];
  for (let index = 0; index < LOAD_RUNS; index++) {
    const loaded = run(bundleLoader);
    bundleRuns.push(loaded.wallMs);
    importRuns.push(loaded.importMs);
    baselineRuns.push(run(emptyLoader).wallMs);
    sdkImportRuns.push(run(sdkLoader).importMs);
    for (const chunk of chunkLoaders) chunk.runs.push(run(chunk.loader).importMs);
  }
  // Pairwise differences, so drift in machine load hits both sides of each pair alike.
  const differences = bundleRuns.map((ms, index) => ms - baselineRuns[index]!);
  const result = {
    runs: LOAD_RUNS,
    medianMs: round(median(differences), 1),
    p90Ms: round(percentile(differences, 0.9), 1),
    bundleProcessMedianMs: round(median(bundleRuns), 1),
    baselineProcessMedianMs: round(median(baselineRuns), 1),
    importMedianMs: round(median(importRuns), 1),
    staticSdk,
    staticSdkImportMedianMs: round(median(sdkImportRuns), 1),
    ownImportMedianMs: round(median(importRuns.map((ms, index) => ms - sdkImportRuns[index]!)), 1),
    lazyChunks: chunkLoaders.map((chunk) => ({ file: chunk.file, importMedianMs: round(median(chunk.runs), 1) })),
    goalMs: GOAL_LOAD_MS,
    node: process.version,
  };
  log(
    `  cold module load (${LOAD_RUNS} fresh node ${process.version} processes each, interleaved): median ${result.medianMs} ms, p90 ${result.p90Ms} ms over an empty module ` +
      `(process ${result.bundleProcessMedianMs} vs ${result.baselineProcessMedianMs} ms; import() alone ${result.importMedianMs} ms, ` +
      `of which the runtime's SDK loaded at once, ${staticSdk.join(' + ') || 'none'}: ${result.staticSdkImportMedianMs} ms, the bundle's own ${result.ownImportMedianMs} ms), goal < ${GOAL_LOAD_MS} ms: ${result.medianMs < GOAL_LOAD_MS ? 'met' : 'NOT met'}`,
  );
  log(`  first use of a lazy chunk (its own import() after the bundle's, median): ${result.lazyChunks.map((chunk) => `${chunk.file} ${chunk.importMedianMs} ms`).join(', ') || 'none'}`);
  return result;
}

function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/**
 * How much zod costs by the way it is imported: the same small schema bundled with the CDK's
 * options under each import style, to see whether one of them drops zod's locales.
 */
async function zodVariants(log: (line: string) => void): Promise<LambdaBundleResult['zod']> {
  const schema = 'const Body = z.object({ repo: z.string().min(1), branch: z.string().optional(), gpu: z.union([z.literal("auto"), z.number().int()]).optional() });\nconsole.log(Body.safeParse({ repo: "a/b" }).success);\n';
  const variants = [
    { variant: "import { z } from 'zod'", source: `import { z } from 'zod';\n${schema}`, note: 'what gateway/api/schemas.ts does' },
    { variant: "import * as z from 'zod'", source: `import * as z from 'zod';\n${schema}`, note: 'namespace import: lets esbuild drop unused exports' },
    { variant: "import * as z from 'zod/mini'", source: `import * as z from 'zod/mini';\n${schema.replace('z.string().min(1)', 'z.string().check(z.minLength(1))').replace('z.number().int()', 'z.int()')}`, note: 'functional API: different method syntax' },
    { variant: "import { z } from '@hono/zod-openapi'", source: `import { z } from '@hono/zod-openapi';\n${schema}`, note: 'what the OpenAPI routes use; brings @asteasolutions/zod-to-openapi' },
  ];
  const results: { variant: string; kb: number; note: string }[] = [];
  for (const { variant, source, note } of variants) {
    const entry = `${OUT_DIR}zod-${results.length}.ts`;
    await writeFile(entry, source);
    const { alias: _alias, ...options } = esbuildOptions(); // zod itself, not the bundles' alias
    const out = await build({ ...options, sourcemap: false, entryPoints: [entry], write: false, outfile: `${OUT_DIR}zod-${results.length}.mjs`, absWorkingDir: ROOT, nodePaths: [`${ROOT}node_modules`] });
    const kb = round(out.outputFiles.find((file) => file.path.endsWith('.mjs'))!.contents.length / 1024, 1);
    results.push({ variant, kb, note });
  }
  log(`  zod by import style (same schema, CDK options): ${results.map((entry) => `${entry.variant} ${entry.kb} KB`).join('; ')}`);
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await measureLambdaBundle();
  console.log(JSON.stringify(result, null, 2));
}
