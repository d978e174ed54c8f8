/**
 * The go-live checks that the stage can send and run: the SES identity and account, and the account's Lambda
 * concurrency left after the stage's reservations.
 */
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand } from '@aws-sdk/client-sesv2';
import { functionSpecs, routes, scheduledFunctionSpecs } from '../lambdas/routes.js';
import { functionKinds, reservedConcurrencyOf } from '../lib/reserved-concurrency.js';
import type { StageConfig } from '../lib/stage-config.js';
import {
  blocker,
  type CheckResult,
  type Context,
  type DoctorClients,
  errorName,
  ok,
  stackNames,
  warn,
} from './doctor-context.js';

/** AWS keeps this much account concurrency unreserved: reservations may never eat into it. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

export async function sesIdentity({ config, clients }: Context, check: string): Promise<CheckResult> {
  const identity = config.email.identity;
  const answer = await clients.ses
    .send(new GetEmailIdentityCommand({ EmailIdentity: identity }))
    .catch((error: unknown) => {
      if (errorName(error) === 'NotFoundException') return undefined;
      throw error;
    });
  if (answer === undefined) {
    return blocker(
      check,
      `${identity} bestaat niet in SES: maak en verifieer die eerst (docs/deploy.md, stap 3)`,
    );
  }
  if (!answer.VerifiedForSendingStatus) {
    return blocker(check, `${identity} is nog niet geverifieerd: zet de DKIM-records in DNS en wacht op SES`);
  }
  if (identity.includes('@'))
    return ok(check, `${identity} is geverifieerd (een adres: DKIM via het domein)`);
  const dkim = answer.DkimAttributes;
  if (!dkim?.SigningEnabled || dkim.Status !== 'SUCCESS') {
    return blocker(
      check,
      `${identity} is geverifieerd maar DKIM staat niet aan (status ${dkim?.Status ?? 'onbekend'}): controleer de drie CNAME-records`,
    );
  }
  return ok(check, `${identity} is geverifieerd en ondertekent met DKIM`);
}

export async function sesAccount({ clients }: Context, check: string): Promise<CheckResult> {
  const account = await clients.ses.send(new GetAccountCommand({}));
  if (account.SendingEnabled === false || account.EnforcementStatus === 'SHUTDOWN') {
    return blocker(
      check,
      `verzenden staat stil (status ${account.EnforcementStatus ?? 'onbekend'}): zie de SES-console`,
    );
  }
  if (!account.ProductionAccessEnabled) {
    const quota = account.SendQuota?.Max24HourSend;
    return blocker(
      check,
      `nog in de sandbox: alleen naar geverifieerde adressen${quota ? `, ${quota} per dag` : ''}; vraag productietoegang aan (docs/deploy.md, stap 3)`,
    );
  }
  const quota = account.SendQuota;
  const probation = account.EnforcementStatus === 'PROBATION';
  const message = `productietoegang; ${quota?.Max24HourSend ?? '?'} e-mails per dag, ${quota?.MaxSendRate ?? '?'} per seconde`;
  return probation
    ? warn(check, `${message}; LET OP: het account staat onder toezicht (PROBATION)`)
    : ok(check, message);
}

/** Reserved concurrency the stage's functions ask for, from lib/stage-config.ts and lambdas/routes.ts. */
export function requiredReservedConcurrency(config: StageConfig): number {
  let sum = 0;
  for (const [name, kind] of functionKinds(routes, functionSpecs, scheduledFunctionSpecs)) {
    sum += reservedConcurrencyOf(config, name, kind) ?? 0;
  }
  return sum;
}

/** What the stage's deployed functions reserve now (it is already taken out of the account's unreserved pool). */
async function reservedNow(clients: DoctorClients, apiStack: string): Promise<number> {
  const functionNames: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cloudFormation.send(
      new ListStackResourcesCommand({ StackName: apiStack, NextToken: nextToken }),
    );
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId) {
        functionNames.push(resource.PhysicalResourceId);
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  let sum = 0;
  for (const name of functionNames) {
    const answer = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
    sum += answer.ReservedConcurrentExecutions ?? 0;
  }
  return sum;
}

export async function lambdaConcurrency(
  { config, clients, stacks }: Context,
  check: string,
): Promise<CheckResult> {
  const { AccountLimit } = await clients.lambda.send(new GetAccountSettingsCommand({}));
  const limit = AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? limit;
  const required = requiredReservedConcurrency(config);
  const current = stacks.api ? await reservedNow(clients, stackNames(config.stage).api) : 0;
  const left = unreserved + current - required;
  const message = `accountlimiet ${limit}, deze stage reserveert ${required}; daarna ${left} niet gereserveerd (minimaal ${MIN_UNRESERVED_CONCURRENCY})`;
  if (left < MIN_UNRESERVED_CONCURRENCY) {
    return blocker(
      check,
      `${message}: vraag een hogere limiet aan (Service Quotas → AWS Lambda → Concurrent executions)`,
    );
  }
  return ok(check, message);
}
