/**
 * A read-only preflight before go-live: `npm run doctor -- --stage <stage>`. Asks AWS (Describe, Get and List
 * calls only; it changes nothing) whether what the stage needs outside the templates is in place, and says so in
 * plain words. Exit code 1 when something blocks go-live, 0 when nothing does, 2 for wrong usage.
 * The checks themselves are in scripts/doctor-checks.ts; this file is the report and the command line.
 */
import { promises as dns } from 'node:dns';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client.js';
import { loadStageConfig, type StageConfig } from '../lib/stage-config.js';
import { type CheckResult, type DoctorClients, runChecks, type Status } from './doctor-checks.js';

export {
  type CheckResult,
  type DoctorClients,
  MIN_UNRESERVED_CONCURRENCY,
  type Resolver,
  requiredReservedConcurrency,
  runChecks,
  type Status,
  stackNames,
} from './doctor-checks.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const HELP = `vol-is-vol doctor: read-only go-live preflight

Usage: npm run doctor -- --stage <dev|test|acceptance|production> [--region <region>]

Checks, with the AWS credentials of the environment (read-only calls):
  - the SES identity of the stage is verified, with DKIM signing on
  - the SES account has production access (not the sandbox) and may send
  - the account's Lambda concurrency leaves 100 unreserved after the stage's reserved concurrency
  - the organiser pool requires MFA and has at least one organiser with an authenticator app
  - at least one event is loaded (npm run seed)
  - the form's domain (webDomainName) resolves to the CloudFront distribution
  - the alarm topic has a confirmed subscriber

Exit codes: 0 nothing blocks go-live, 1 something does (marked ✖), 2 wrong usage.
`;

const MARKS: Record<Status, string> = { ok: '✔', warn: '!', blocker: '✖' };

export function report(stage: string, results: readonly CheckResult[]): string {
  const blockers = results.filter((result) => result.status === 'blocker').length;
  return [
    `vol-is-vol doctor, stage ${stage}`,
    ...results.map((result) => `${MARKS[result.status]} ${result.check}: ${result.message}`),
    blockers === 0
      ? 'Niets houdt de livegang tegen.'
      : `${blockers} ${blockers === 1 ? 'punt houdt' : 'punten houden'} de livegang tegen (✖).`,
  ].join('\n');
}

export function awsClients(region: string): DoctorClients {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    ses: new SESv2Client({ region }),
    lambda: new LambdaClient({ region }),
    cognito: new CognitoIdentityProviderClient({ region }),
    dynamo: createDocumentClient({ region, requestTimeoutMs: 10_000 }),
    sns: new SNSClient({ region }),
    resolver: dns,
  };
}

export type DoctorIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  clients: (region: string) => DoctorClients;
};

/** Runs the doctor; returns the exit code. */
export async function main(argv: string[], io: DoctorIo): Promise<number> {
  let values: { stage?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (!values.stage) {
    io.err(`Ontbreekt: --stage.\n\n${HELP}`);
    return 2;
  }
  let config: StageConfig;
  try {
    config = loadStageConfig(values.stage);
  } catch (error) {
    // An unknown stage, or a configuration that would not synthesize (placeholders): that blocks go-live too.
    io.err((error as Error).message);
    return (error as Error).message.startsWith('Unknown stage') ? 2 : 1;
  }
  const region = values.region ?? config.region ?? io.env.AWS_REGION ?? 'eu-west-1';
  const results = await runChecks(config, io.clients(region));
  io.out(report(config.stage, results));
  return results.some((result) => result.status === 'blocker') ? 1 : 0;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  main(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    env: process.env,
    clients: awsClients,
  }).then((code) => {
    process.exitCode = code;
  });
}
