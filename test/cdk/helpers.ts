import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { FunctionSpec, Route, ScheduledFunctionSpec } from '../../lambdas/routes.js';
import { ApiStack } from '../../lib/api-stack.js';
import { DataStack } from '../../lib/data-stack.js';
import { repoRoot } from '../../lib/repo-root.js';
import {
  loadStageConfig,
  SETTINGS_CONTEXT_KEY,
  type StageConfig,
  type StageConfigInput,
  stageConfigsWithSettings,
} from '../../lib/stage-config.js';
import { addComplianceChecks, addVolIsVolStacks, type VolIsVolStacks } from '../../lib/vol-is-vol-app.js';
import { buildWebAssets } from '../../lib/web-assets.js';

/**
 * The context of cdk.json (the feature flags), as the CLI passes it to every `cdk synth`, and no asset
 * bundling (esbuild) for any stack: synth stays in-process and fast, with the flags the real synth has.
 */
export const SKIP_BUNDLING = {
  ...(
    JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context,
  'aws:cdk:bundling-stacks': [] as string[],
};

/**
 * The committed example settings (config/settings.example.json, as CI passes with `-c settings=`): acceptance
 * and production filled in with realistic values, so they synthesize; the shipped placeholders do not.
 */
export const EXAMPLE_SETTINGS_FILE = path.join(repoRoot, 'config', 'settings.example.json');
export const exampleStageConfigs = stageConfigsWithSettings(EXAMPLE_SETTINGS_FILE);

/** A stage's configuration with the example settings (what CI synthesizes). */
export function exampleStage(stage: string): StageConfig {
  return loadStageConfig(stage, exampleStageConfigs);
}

/** The web pages, built once per test file (as `bin/app.ts` does on every synth). */
export const webAssetDir = await buildWebAssets();

export type SynthesizedStage = VolIsVolStacks & {
  readonly app: App;
  readonly dataTemplate: Template;
  readonly apiTemplate: Template;
  readonly webTemplate: Template;
};

export type BuildOptions = {
  /**
   * Run the CDK's built-in CloudFormation validation (as `cdk synth` does), with its findings as errors.
   * Off by default: it costs seconds per synth, and one dedicated test covers it. cdk-nag runs on every synth.
   */
  readonly validate?: boolean;
  /** The settings file passed as `-c settings=`; default the example, null for none. */
  readonly settings?: string | null;
};

/**
 * Builds the app exactly as `bin/app.ts` does, for a stage given as context (undefined = no context), with
 * the example settings file as context unless `settings` says otherwise (null: none, as a plain synth).
 */
export function buildApp(
  stage?: unknown,
  processEnv: NodeJS.ProcessEnv = {},
  { validate = false, settings = EXAMPLE_SETTINGS_FILE }: BuildOptions = {},
): SynthesizedStage {
  const context: Record<string, unknown> = { ...SKIP_BUNDLING };
  if (settings !== null) context[SETTINGS_CONTEXT_KEY] = settings;
  if (stage !== undefined) context.stage = stage;
  if (validate) context['@aws-cdk/core:validateAgainstDefaultRules'] = true;
  const app = new App({ context, builtinCloudFormationValidation: validate });
  const stacks = addVolIsVolStacks(app, webAssetDir, processEnv);
  return {
    ...stacks,
    app,
    dataTemplate: Template.fromStack(stacks.data),
    apiTemplate: Template.fromStack(stacks.api),
    webTemplate: Template.fromStack(stacks.web),
  };
}

const cache = new Map<string, SynthesizedStage>();

/** `buildApp` once per stage per test file. */
export function synthStage(stage = 'dev'): SynthesizedStage {
  let built = cache.get(stage);
  if (built === undefined) {
    built = buildApp(stage);
    cache.set(stage, built);
  }
  return built;
}

/** A stage's configuration with some fields replaced (validated like the real ones). */
export function configWith(stage: string, overrides: Partial<StageConfigInput> = {}): StageConfig {
  const base = exampleStageConfigs[stage as keyof typeof exampleStageConfigs];
  return loadStageConfig(stage, { [stage]: { ...base, ...overrides } as StageConfigInput });
}

export type CustomApiOptions = {
  readonly stage?: string;
  readonly config?: StageConfig;
  readonly routes: readonly Route[];
  readonly functionSpecs: Readonly<Record<string, FunctionSpec>>;
  readonly scheduledFunctionSpecs?: Readonly<Record<string, ScheduledFunctionSpec>>;
};

export type CustomApi = {
  readonly app: App;
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly apiTemplate: Template;
};

/**
 * The two stacks with a route table and function specs of the test's own (real admin routes or scheduled
 * functions may not exist yet), checked by cdk-nag like the real app.
 */
export function buildCustomApi(options: CustomApiOptions): CustomApi {
  const app = new App({ context: { ...SKIP_BUNDLING }, builtinCloudFormationValidation: false });
  const config = options.config ?? exampleStage(options.stage ?? 'dev');
  const data = new DataStack(app, 'Data', { config });
  const api = new ApiStack(app, 'Api', {
    config,
    table: data.table,
    tableKey: data.tableKey,
    userPool: data.userPool,
    routes: options.routes,
    functionSpecs: options.functionSpecs,
    scheduledFunctionSpecs: options.scheduledFunctionSpecs ?? {},
  });
  addComplianceChecks(app);
  return { app, config, data, api, apiTemplate: Template.fromStack(api) };
}

export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

/** A property of a template resource; throws when the resource or the property is missing. */
export function propertyOf<T>(resource: CfnResource | undefined, name: string): T {
  const value = resource?.Properties?.[name];
  if (value === undefined) throw new Error(`Missing property ${name}`);
  return value as T;
}

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** Logical id of a construct's CloudFormation resource, resolved through the construct tree. */
export function logicalIdOf(cfn: CfnFunction): string {
  return Stack.of(cfn).getLogicalId(cfn);
}

/** `{ Ref: id }` → id, `{ 'Fn::GetAtt': [id, attr] }` → id. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** Every logical id referenced anywhere inside a value (Ref and Fn::GetAtt). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  const id = referencedId(value);
  if (id !== undefined) into.add(id);
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) referencedIds(item, into);
  }
  return into;
}

export type PolicyStatementJson = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
};

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

export function isDynamoStatement(statement: PolicyStatementJson): boolean {
  return actionsOf(statement).some((action) => action.toLowerCase().startsWith('dynamodb:'));
}

/** All statements of all `AWS::IAM::Policy` resources in a template. */
export function allPolicyStatements(template: Template): PolicyStatementJson[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap(
    (policy) => propertyOf<{ Statement: PolicyStatementJson[] }>(policy, 'PolicyDocument').Statement,
  );
}

/**
 * The statements that apply to a Lambda function: the function's `Role` (Fn::GetAtt role Arn) is
 * followed to every `AWS::IAM::Policy` attached to that role (its `Roles` list) and to the role's
 * own inline policies.
 */
export function statementsOfFunction(template: Template, functionLogicalId: string): PolicyStatementJson[] {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionLogicalId];
  if (fn === undefined) throw new Error(`No Lambda function ${functionLogicalId}`);
  const roleId = referencedId(fn.Properties?.Role);
  if (roleId === undefined) throw new Error(`Function ${functionLogicalId} has no role reference`);
  const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
  if (role === undefined) throw new Error(`Role ${roleId} is not in the template`);

  const inline = (
    (role.Properties?.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[]) ?? []
  ).flatMap((policy) => policy.PolicyDocument.Statement);
  const attached = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      ((policy.Properties?.Roles as unknown[]) ?? []).some((ref) => referencedId(ref) === roleId),
    )
    .flatMap(
      (policy) => propertyOf<{ Statement: PolicyStatementJson[] }>(policy, 'PolicyDocument').Statement,
    );
  return [...inline, ...attached];
}

/** Full resource path (`/events/{eventId}`) of every `AWS::ApiGateway::Resource`, by logical id. */
export function apiResourcePaths(template: Template): Map<string, string> {
  const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = resources[id];
    if (resource === undefined) throw new Error(`Unknown API resource ${id}`);
    const parent = resource.Properties?.ParentId as { 'Fn::GetAtt'?: unknown };
    const parentId = referencedId(parent);
    const parentPath =
      parentId !== undefined && parentId in resources && parent['Fn::GetAtt'] === undefined
        ? pathOf(parentId)
        : '';
    const full = `${parentPath}/${String(resource.Properties?.PathPart)}`;
    paths.set(id, full);
    return full;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

export type ApiMethod = {
  readonly logicalId: string;
  readonly httpMethod: string;
  readonly path: string;
  readonly properties: Record<string, unknown>;
  /** Logical ids referenced by the integration (the Lambda function among them). */
  readonly integrationRefs: Set<string>;
};

/** Every `AWS::ApiGateway::Method` with its full resource path (`/` for methods on the root). */
export function apiMethods(template: Template): ApiMethod[] {
  const paths = apiResourcePaths(template);
  return Object.entries(resourcesOfType(template, 'AWS::ApiGateway::Method')).map(([logicalId, method]) => {
    const properties = method.Properties ?? {};
    const resourceRef = properties.ResourceId as { Ref?: string; 'Fn::GetAtt'?: unknown };
    const path = resourceRef.Ref !== undefined ? (paths.get(resourceRef.Ref) ?? '?') : '/';
    return {
      logicalId,
      httpMethod: String(properties.HttpMethod),
      path,
      properties,
      integrationRefs: referencedIds(properties.Integration),
    };
  });
}
