import { createRequire } from 'node:module';

/*
 * The AWS API calls a bundled Lambda function can make, read from the bundle itself (what is
 * deployed, after tree-shaking): the `@aws-sdk/*` packages it imports, statically or on first
 * use, and every command class of those packages that the code names. Minifying renames
 * bindings but not imported names (`import{GetCommand as x}`) nor properties
 * (`(await sdk()).StartBuildCommand`), so each use is still there by name.
 */

/** IAM's service prefix for each SDK client package. */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-codebuild': 'codebuild',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

/** API operations whose IAM action has another name (the Service Authorization Reference): Lambda's Invoke is lambda:InvokeFunction. */
const IAM_ACTION_OF: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/**
 * The document client's commands wrap DynamoDB's own (lib-dynamodb's commands/*.ts name the
 * client command each one sends); IAM authorizes the wrapped operation.
 */
const DOCUMENT_CLIENT_OPERATION: Record<string, string> = {
  BatchExecuteStatementCommand: 'PartiQLSelect',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  DeleteCommand: 'DeleteItem',
  ExecuteStatementCommand: 'PartiQLSelect',
  ExecuteTransactionCommand: 'PartiQLSelect',
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  TransactGetCommand: 'GetItem',
  TransactWriteCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
};

export interface SdkCall {
  /** IAM action, e.g. `ecs:CreateService`. */
  readonly action: string;
  readonly command: string;
  readonly pkg: string;
}

const require = createRequire(import.meta.url);

/** Export names of an SDK package that are commands, as its CommonJS entry lists them. */
function commandsOf(pkg: string): Set<string> {
  const exports = require(pkg) as Record<string, unknown>;
  return new Set(Object.keys(exports).filter((name) => name.endsWith('Command') && typeof exports[name] === 'function'));
}

/**
 * The command names the code uses. esbuild keeps every name of an external module's import
 * clause, used or not (`import{CreateTableCommand as x}` stays when nothing calls `new x(`), so
 * a statically imported name counts only if its local binding is constructed (`new x(`); a name reached through a dynamic import counts wherever it appears
 * (`(await sdk()).StartBuildCommand`, `{GetLogEventsCommand:y}=await import(…)`).
 */
function usedCommandNames(bundle: string): Set<string> {
  const statics = [...bundle.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/[^"]+)";?/g)];
  const rest = statics.reduce((text, match) => text.replace(match[0], ' '), bundle);
  const constructed = (name: string) => new RegExp(`(?<![\\w$.])new\\s+${name.replace(/\$/g, '\\$')}\\s*\\(`).test(rest);
  const used = new Set((rest.match(/\b[A-Z][A-Za-z0-9]*Command\b/g) ?? []));
  for (const [, specifiers] of statics) {
    for (const specifier of specifiers!.split(',')) {
      const [imported, local = imported] = specifier.trim().split(/\s+as\s+/) as [string, string?];
      if (imported.endsWith('Command') && constructed(local!.trim())) used.add(imported);
    }
  }
  return used;
}

/** Every SDK call the bundled code makes, one per IAM action. */
export function sdkCallsOf(bundle: string): SdkCall[] {
  const packages = new Set<string>();
  for (const match of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"(@aws-sdk\/[^"]+)"/g)) packages.add(match[1]!);
  const words = usedCommandNames(bundle);
  const calls = new Map<string, SdkCall>();
  for (const pkg of [...packages].sort()) {
    if (pkg === '@aws-sdk/lib-dynamodb') {
      for (const command of commandsOf(pkg)) {
        if (!words.has(command)) continue;
        const operation = DOCUMENT_CLIENT_OPERATION[command];
        if (!operation) throw new Error(`lib-dynamodb's ${command} is used but not mapped to a DynamoDB operation`);
        calls.set(`dynamodb:${operation}`, { action: `dynamodb:${operation}`, command, pkg });
      }
      continue;
    }
    const prefix = SERVICE_PREFIX[pkg];
    if (!prefix) throw new Error(`the bundle imports ${pkg}, whose IAM service prefix this test does not know`);
    for (const command of commandsOf(pkg)) {
      if (!words.has(command)) continue;
      // A name two imported packages share cannot be told apart in a minified bundle.
      const other = [...packages].find((candidate) => candidate !== pkg && candidate !== '@aws-sdk/lib-dynamodb' && SERVICE_PREFIX[candidate] && commandsOf(candidate).has(command));
      if (other) throw new Error(`${command} is exported by both ${pkg} and ${other}; the bundle cannot say which it calls`);
      const operation = `${prefix}:${command.slice(0, -'Command'.length)}`;
      const action = IAM_ACTION_OF[operation] ?? operation;
      calls.set(action, { action, command, pkg });
    }
  }
  return [...calls.values()].sort((a, b) => a.action.localeCompare(b.action));
}
