import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import {
  DEFAULT_STAGE,
  type EmailConfig,
  type Mailbox,
  parseMailbox,
  type StageConfig,
  type StageConfigInput,
  type StageName,
  stageConfigSchema,
  stageNameSchema,
  stageNames,
} from './stage-config-schema.js';

/**
 * Stage configuration: the one place where the stages and their settings live.
 * Select a stage with `cdk synth -c stage=<name>` (default `dev`). Every value is validated before
 * anything is built, so a mistake stops synth with a message naming the field.
 */

export * from './stage-config-schema.js';

/**
 * The stages. Every host name under `example.org`/`example.nl` is a placeholder: acceptance and production
 * refuse to synthesize until origins, base URLs, SES identities and addresses are real and `account`,
 * `webDomainName` and `webCertificateArn` are set, here or in a settings file (`-c settings=<file>`,
 * docs/deploy.md). dev and test run with the placeholders (their mail goes nowhere until set).
 * All stages live in eu-west-1 (Ireland): data stays in the EU, and SES and WAF are available there.
 * Production throttling stays far above the design's per-workshop ceiling (~500 registrations/s).
 */
export const stageConfigs: Readonly<Record<StageName, StageConfigInput>> = {
  dev: {
    stage: 'dev',
    region: 'eu-west-1',
    throttling: { rateLimit: 20, burstLimit: 40 },
    allowedOrigins: ['http://localhost:3000'],
    publicBaseUrl: 'http://localhost:3000',
    logRetentionDays: RetentionDays.ONE_WEEK,
    terminationProtection: false,
    tableKmsKey: 'aws-managed',
    email: {
      identity: 'dev.vol-is-vol.example.org',
      createIdentity: false,
      mailFrom: 'Dag van Weerbaar Bestuur (dev) <aanmelden@dev.vol-is-vol.example.org>',
      configurationSet: { kind: 'none' },
    },
    // Off in dev: a web ACL costs about $9 a month before requests.
    waf: { enabled: false, registrationRateLimit: 100 },
    // Nothing reserved: sandbox accounts often have a concurrency quota of 10.
    reservedConcurrency: {},
  },
  test: {
    stage: 'test',
    region: 'eu-west-1',
    throttling: { rateLimit: 50, burstLimit: 100 },
    allowedOrigins: ['http://localhost:3000', 'https://test.vol-is-vol.example.org'],
    publicBaseUrl: 'https://test.vol-is-vol.example.org',
    logRetentionDays: RetentionDays.ONE_WEEK,
    terminationProtection: false,
    tableKmsKey: 'aws-managed',
    email: {
      identity: 'test.vol-is-vol.example.org',
      createIdentity: false,
      mailFrom: 'Dag van Weerbaar Bestuur (test) <aanmelden@test.vol-is-vol.example.org>',
      configurationSet: { kind: 'create' },
    },
    waf: { enabled: true, registrationRateLimit: 100 },
    reservedConcurrency: { scheduledFunctions: 1, adminFunctions: 2 },
  },
  acceptance: {
    stage: 'acceptance',
    region: 'eu-west-1',
    throttling: { rateLimit: 200, burstLimit: 400 },
    allowedOrigins: ['https://acceptatie.vol-is-vol.example.org'],
    publicBaseUrl: 'https://acceptatie.vol-is-vol.example.org',
    logRetentionDays: RetentionDays.ONE_MONTH,
    terminationProtection: false,
    tableKmsKey: 'customer-managed',
    email: {
      identity: 'acceptatie.vol-is-vol.example.org',
      createIdentity: true,
      mailFrom: 'Dag van Weerbaar Bestuur (acceptatie) <aanmelden@acceptatie.vol-is-vol.example.org>',
      replyTo: 'organisatie@vol-is-vol.example.org',
      configurationSet: { kind: 'create' },
    },
    eventCacheSeconds: 1,
    waf: { enabled: true, registrationRateLimit: 300 },
    alarmEmail: 'beheer@vol-is-vol.example.org',
    reservedConcurrency: { scheduledFunctions: 1, adminFunctions: 2 },
  },
  production: {
    stage: 'production',
    region: 'eu-west-1',
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    allowedOrigins: ['https://aanmelden.vol-is-vol.example.org'],
    publicBaseUrl: 'https://aanmelden.vol-is-vol.example.org',
    logRetentionDays: RetentionDays.THREE_MONTHS,
    terminationProtection: true,
    tableKmsKey: 'customer-managed',
    email: {
      identity: 'aanmelden.vol-is-vol.example.org',
      createIdentity: true,
      mailFrom: 'Dag van Weerbaar Bestuur <aanmelden@aanmelden.vol-is-vol.example.org>',
      replyTo: 'organisatie@vol-is-vol.example.org',
      configurationSet: { kind: 'create' },
    },
    eventCacheSeconds: 1,
    waf: { enabled: true, registrationRateLimit: 300 },
    alarmEmail: 'beheer@vol-is-vol.example.org',
    reservedConcurrency: { scheduledFunctions: 1, adminFunctions: 5 },
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

/**
 * The context key naming a JSON settings file (`-c settings=config/settings.example.json`): per stage, values
 * that replace the shipped ones of lib/stage-config.ts, each top-level field whole (give `email` complete).
 * Relative paths start at the working directory (the repository root for `npx cdk`).
 */
export const SETTINGS_CONTEXT_KEY = 'settings';

const settingsFileSchema = z.partialRecord(stageNameSchema, z.record(z.string(), z.unknown()));

/** The stage configurations with a settings file's values over the shipped ones. */
export function stageConfigsWithSettings(
  file: string,
  base: Readonly<Record<StageName, StageConfigInput>> = stageConfigs,
): Record<StageName, StageConfigInput> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.resolve(file), 'utf8'));
  } catch (error) {
    throw new StageConfigError(`Cannot read the settings file ${file}: ${(error as Error).message}`);
  }
  const parsed = settingsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new StageConfigError(
      `The settings file ${file} must be an object of stages (${stageNames.join(', ')}), each an object of fields:\n${formatIssues(parsed.error)}`,
    );
  }
  const merged = { ...base };
  for (const [stage, values] of Object.entries(parsed.data) as [StageName, Record<string, unknown>][]) {
    merged[stage] = { ...base[stage], ...values } as StageConfigInput;
  }
  return merged;
}

/**
 * Reads `-c stage=<name>` from a construct's context (default `dev`) and loads that stage, with the values
 * of `-c settings=<file>` when given.
 */
export function stageConfigFromContext(node: { tryGetContext(key: string): unknown }): StageConfig {
  const stage: unknown = node.tryGetContext(STAGE_CONTEXT_KEY) ?? DEFAULT_STAGE;
  const settings: unknown = node.tryGetContext(SETTINGS_CONTEXT_KEY);
  if (settings === undefined) return loadStageConfig(stage);
  if (typeof settings !== 'string' || settings === '') {
    throw new StageConfigError('-c settings=<file> must name a JSON file.');
  }
  return loadStageConfig(stage, stageConfigsWithSettings(settings));
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

/** The address (lower case) and display name of the configured From header. */
export function mailFromOf(email: EmailConfig): Mailbox {
  const mailbox = parseMailbox(email.mailFrom);
  if (mailbox === undefined) throw new StageConfigError(`Invalid mailFrom ${JSON.stringify(email.mailFrom)}`);
  return mailbox;
}
