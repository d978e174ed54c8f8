/**
 * What every go-live check of `npm run doctor` shares: the clients it asks, the stage's deployed stacks, and
 * the shape of its answer (ok, warn or blocker). The checks are in doctor-sending-checks.ts and
 * doctor-stage-checks.ts, run in order by doctor-checks.ts.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageConfig } from '../lib/stage-config.js';

export type Status = 'ok' | 'warn' | 'blocker';
export type CheckResult = { check: string; status: Status; message: string };

export type Resolver = {
  resolveCname(host: string): Promise<string[]>;
  resolve4(host: string): Promise<string[]>;
};

export type DoctorClients = {
  cloudFormation: CloudFormationClient;
  ses: SESv2Client;
  lambda: LambdaClient;
  cognito: CognitoIdentityProviderClient;
  dynamo: DynamoDBDocumentClient;
  sns: SNSClient;
  resolver: Resolver;
};

export type Outputs = Record<string, string>;
export type Context = {
  config: StageConfig;
  clients: DoctorClients;
  /** The outputs of each deployed stack of the stage; undefined for a stack that is not deployed. */
  stacks: { data?: Outputs; api?: Outputs; web?: Outputs };
};

export const stackNames = (stage: string) => ({
  data: `VolIsVol-${stage}-Data`,
  api: `VolIsVol-${stage}-Api`,
  web: `VolIsVol-${stage}-Web`,
});

export const ok = (check: string, message: string): CheckResult => ({ check, status: 'ok', message });
export const warn = (check: string, message: string): CheckResult => ({ check, status: 'warn', message });
export const blocker = (check: string, message: string): CheckResult => ({
  check,
  status: 'blocker',
  message,
});

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

export function notDeployed(check: string, stack: string): CheckResult {
  return blocker(check, `de stack ${stack} is niet gevonden: eerst npx cdk deploy`);
}
