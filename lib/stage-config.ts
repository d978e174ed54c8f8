import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/**
 * Stage configuration: the one place where the stages and their settings live.
 * Select a stage with `cdk synth -c stage=<name>` (default `dev`).
 */

export const stageNames = ['dev', 'test', 'acceptance', 'production'] as const;
export const stageNameSchema = z.enum(stageNames);
export type StageName = z.infer<typeof stageNameSchema>;

export const DEFAULT_STAGE: StageName = 'dev';

const retentionDays = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

/** A browser origin: scheme, host and optional port; https, or http only for localhost. */
const originSchema = z.string().refine((value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const localhost = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  const schemeOk = url.protocol === 'https:' || (url.protocol === 'http:' && localhost);
  return schemeOk && url.origin === value;
}, 'must be an origin like https://example.org (no path, no trailing slash; http only for localhost)');

export const stageConfigSchema = z
  .object({
    stage: stageNameSchema,
    /** Target account; falls back to CDK_DEFAULT_ACCOUNT (the CLI's current credentials). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Target region; falls back to CDK_DEFAULT_REGION. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, 'must be an AWS region like eu-west-1')
      .optional(),
    /** API Gateway stage throttling (steady requests per second and burst). */
    throttling: z
      .object({
        rateLimit: z.number().positive().max(10_000),
        burstLimit: z.number().int().positive().max(5_000),
      })
      .strict(),
    /** Browser origins allowed by CORS (preflight and handler responses). */
    corsOrigins: z.array(originSchema).min(1),
    /** Retention of Lambda and API access log groups, in days (a CloudWatch Logs retention value). */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => retentionDays.has(days), {
        message: `must be one of ${[...retentionDays].sort((a, b) => a - b).join(', ')}`,
      })
      .transform((days) => days as RetentionDays),
    /** CloudFormation termination protection for the stacks of this stage. */
    terminationProtection: z.boolean(),
  })
  .strict();

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;

/**
 * The stages. Origins marked `placeholder` must be replaced by the real form origin before go-live.
 * Production throttling stays far above the design's per-workshop ceiling (~500 registrations/s).
 */
export const stageConfigs: Readonly<Record<StageName, StageConfigInput>> = {
  dev: {
    stage: 'dev',
    throttling: { rateLimit: 20, burstLimit: 40 },
    corsOrigins: ['http://localhost:3000'],
    logRetentionDays: RetentionDays.ONE_WEEK,
    terminationProtection: false,
  },
  test: {
    stage: 'test',
    throttling: { rateLimit: 50, burstLimit: 100 },
    corsOrigins: ['http://localhost:3000', 'https://test.vol-is-vol.example.org' /* placeholder */],
    logRetentionDays: RetentionDays.ONE_WEEK,
    terminationProtection: false,
  },
  acceptance: {
    stage: 'acceptance',
    throttling: { rateLimit: 200, burstLimit: 400 },
    corsOrigins: ['https://acceptatie.vol-is-vol.example.org' /* placeholder */],
    logRetentionDays: RetentionDays.ONE_MONTH,
    terminationProtection: false,
  },
  production: {
    stage: 'production',
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    corsOrigins: ['https://aanmelden.vol-is-vol.example.org' /* placeholder */],
    logRetentionDays: RetentionDays.THREE_MONTHS,
    terminationProtection: true,
  },
};

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** Validates and returns the configuration of a stage; throws StageConfigError for an unknown stage or bad values. */
export function loadStageConfig(
  stage: unknown = DEFAULT_STAGE,
  configs: Readonly<Record<string, StageConfigInput>> = stageConfigs,
): StageConfig {
  const name = stageNameSchema.safeParse(stage);
  if (!name.success) {
    throw new StageConfigError(
      `Unknown stage ${JSON.stringify(stage)}: use -c stage=<${stageNames.join('|')}> (default ${DEFAULT_STAGE}).`,
    );
  }
  const raw = configs[name.data];
  if (raw === undefined) {
    throw new StageConfigError(`No configuration for stage "${name.data}" in lib/stage-config.ts.`);
  }
  const parsed = stageConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StageConfigError(
      `Invalid configuration for stage "${name.data}":\n${formatIssues(parsed.error)}`,
    );
  }
  if (parsed.data.stage !== name.data) {
    throw new StageConfigError(`Configuration for stage "${name.data}" says stage "${parsed.data.stage}".`);
  }
  return parsed.data;
}

/** The context key that selects the stage: `cdk synth -c stage=production`. */
export const STAGE_CONTEXT_KEY = 'stage';

/** Reads `-c stage=<name>` from a construct's context (default `dev`) and loads that stage. */
export function stageConfigFromContext(node: { tryGetContext(key: string): unknown }): StageConfig {
  const stage: unknown = node.tryGetContext(STAGE_CONTEXT_KEY) ?? DEFAULT_STAGE;
  return loadStageConfig(stage);
}

/** The stack environment: the configured account/region, else the CLI's defaults (may stay undefined). */
export function stackEnv(
  config: StageConfig,
  env: NodeJS.ProcessEnv = process.env,
): { account: string | undefined; region: string | undefined } {
  return {
    account: config.account ?? env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? env.CDK_DEFAULT_REGION,
  };
}
