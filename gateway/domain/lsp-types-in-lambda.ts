/**
 * What `vscode-languageserver-types` resolves to inside the Lambda bundles (esbuild
 * `--alias:vscode-languageserver-types=`, cdk/constructs/gateway.ts `bundling`). dockerfile-ast
 * uses two functions of that package, `Position.create` and `Range.create`, but the package's
 * namespaces are written as assignments a bundler cannot drop, so all of it (27 KB) came along.
 * These are the two functions as the package defines them (lib/esm/main.js, 3.17), without the
 * argument checks. test/functions/lambda-bundle.test.ts analyses Dockerfiles through the bundle.
 */
const UINTEGER_MAX = 2147483647;

export interface Position {
  readonly line: number;
  readonly character: number;
}

export const Position = {
  create(line: number, character: number): Position {
    return { line: line === Number.MAX_VALUE ? UINTEGER_MAX : line, character: character === Number.MAX_VALUE ? UINTEGER_MAX : character };
  },
};

export const Range = {
  create(one: number | Position, two: number | Position, three?: number, four?: number): { start: Position; end: Position } {
    if (typeof one === 'number' && typeof two === 'number') return { start: Position.create(one, two), end: Position.create(three!, four!) };
    return { start: one as Position, end: two as Position };
  },
};
