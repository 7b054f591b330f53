import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { type BuildOptions, buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Shared by every Portico Lambda so they all bundle offline with the local esbuild. */
export const bundling = {
  forceDockerBundling: false,
  // esbuild's warnings and errors, without its "⚡ Done in 1.2s" after every bundle.
  logLevel: LogLevel.WARNING,
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  target: 'node24',
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // Packages whose whole surface would be kept, swapped for the part Portico uses (see each file).
  esbuildArgs: {
    '--alias:zod': fileURLToPath(new URL('../../gateway/api/zod-in-lambda.ts', import.meta.url)),
    '--alias:vscode-languageserver-types': fileURLToPath(new URL('../../gateway/domain/lsp-types-in-lambda.ts', import.meta.url)),
    '--alias:entities': fileURLToPath(new URL('../../gateway/ui/entities-in-lambda.ts', import.meta.url)),
  },
} as const;

export const functionEntry = (name: string): string => fileURLToPath(new URL(`../../functions/${name}.ts`, import.meta.url));

/**
 * NodejsFunction's default externals for Node ≥ 18 runtimes (the SDK v3 the runtime ships):
 * `@aws-sdk/*`, plus `@smithy/*` under the feature flag
 * `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages`, which cdk.json sets.
 */
export const RUNTIME_SDK = ['@aws-sdk/*', '@smithy/*'];

/** The esbuild options NodejsFunction derives from `bundling` (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js buildEsbuildArgs). */
export function esbuildOptions() {
  return {
    bundle: true,
    platform: 'node' as const,
    format: bundling.format === 'esm' ? ('esm' as const) : ('cjs' as const),
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    external: RUNTIME_SDK,
    banner: { js: bundling.banner },
    alias: Object.fromEntries(Object.entries(bundling.esbuildArgs).map(([flag, path]) => [flag.replace('--alias:', ''), path])),
  } satisfies BuildOptions;
}

/**
 * The gateway function's bundle: the same options, split at its `import()`s (the dashboard pages,
 * the Dockerfile and README analysis), so a cold start loads `index.mjs` and the chunks it imports
 * statically, and the rest loads with the first request that needs it. NodejsFunction cannot split
 * (it passes esbuild an `--outfile`), hence esbuild's own API into `outdir`.
 */
export function gatewayBuildOptions(outdir: string) {
  return {
    ...esbuildOptions(),
    entryPoints: { index: functionEntry('gateway') },
    outdir,
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
  } satisfies BuildOptions;
}

/** The gateway function's code asset, bundled at synth by the local esbuild (no Docker), hashed by its output as NodejsFunction's are. */
export function gatewayCode(): lambda.Code {
  return lambda.Code.fromAsset(fileURLToPath(new URL('../..', import.meta.url)), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('dummy'), // never used: local bundling always succeeds, or throws
      local: {
        tryBundle(outputDir) {
          buildSync({ ...gatewayBuildOptions(outputDir), logLevel: 'warning' });
          return true;
        },
      },
    },
  });
}
