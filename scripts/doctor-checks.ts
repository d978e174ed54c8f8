/**
 * The go-live checks of `npm run doctor` (scripts/doctor.ts): each asks AWS (read-only calls) about one thing the
 * stage needs outside the templates and answers ok, warn or blocker in plain Dutch words.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventRegistryKey } from '../lambdas/adapters/dynamodb/keys.js';
import { functionSpecs, routes, scheduledFunctionSpecs } from '../lambdas/routes.js';
import { ORGANISERS_GROUP } from '../lib/data-stack.js';
import { functionKinds, reservedConcurrencyOf } from '../lib/reserved-concurrency.js';
import type { StageConfig } from '../lib/stage-config.js';

/** AWS keeps this much account concurrency unreserved: reservations may never eat into it. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

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

type Outputs = Record<string, string>;
type Context = {
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

const ok = (check: string, message: string): CheckResult => ({ check, status: 'ok', message });
const warn = (check: string, message: string): CheckResult => ({ check, status: 'warn', message });
const blocker = (check: string, message: string): CheckResult => ({ check, status: 'blocker', message });

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Outputs | undefined> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    // CloudFormation answers a stack that does not exist with a ValidationError.
    if (errorName(error) === 'ValidationError') return undefined;
    throw error;
  }
}

function notDeployed(check: string, stack: string): CheckResult {
  return blocker(check, `de stack ${stack} is niet gevonden: eerst npx cdk deploy`);
}

async function sesIdentity({ config, clients }: Context, check: string): Promise<CheckResult> {
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

async function sesAccount({ clients }: Context, check: string): Promise<CheckResult> {
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

async function lambdaConcurrency({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
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

function hasAuthenticatorApp(user: { UserMFASettingList?: string[]; PreferredMfaSetting?: string }): boolean {
  return (
    (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA') ||
    user.PreferredMfaSetting === 'SOFTWARE_TOKEN_MFA'
  );
}

async function organisers({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
  const poolId = stacks.data?.UserPoolId;
  if (!stacks.data || !poolId) return notDeployed(check, stackNames(config.stage).data);
  const { UserPool } = await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  if (UserPool?.MfaConfiguration !== 'ON') {
    return blocker(
      check,
      `de pool vraagt geen MFA (${UserPool?.MfaConfiguration ?? 'onbekend'}): organisatoren kunnen alle deelnemers exporteren`,
    );
  }
  const members: UserType[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cognito.send(
      new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: ORGANISERS_GROUP, NextToken: nextToken }),
    );
    members.push(...(page.Users ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  let withApp = 0;
  for (const member of members) {
    if (member.Enabled === false || !member.Username) continue;
    const user = await clients.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: member.Username }),
    );
    if (hasAuthenticatorApp(user)) withApp++;
  }
  if (withApp === 0) {
    return blocker(
      check,
      members.length === 0
        ? `niemand in de groep ${ORGANISERS_GROUP}: maak de eerste organisator aan (docs/deploy.md, stap 6)`
        : `${members.length} in de groep ${ORGANISERS_GROUP}, maar niemand heeft de authenticator-app al gekoppeld: log één keer in met npm run admin`,
    );
  }
  return ok(check, `${withApp} van ${members.length} in de groep ${ORGANISERS_GROUP} met authenticator-app`);
}

async function eventsSeeded({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
  const table = config.restoredTableName ?? stacks.data?.TableName;
  if (!table) return notDeployed(check, stackNames(config.stage).data);
  const { Item } = await clients.dynamo.send(
    new GetCommand({ TableName: table, Key: eventRegistryKey(), ConsistentRead: true }),
  );
  const ids = Item?.eventIds instanceof Set ? [...Item.eventIds].map(String).sort() : [];
  if (ids.length === 0)
    return blocker(check, `geen evenement in ${table}: laad het met npm run seed (docs/deploy.md, stap 7)`);
  return ok(check, `${ids.length} geladen: ${ids.join(', ')}`);
}

const bareHost = (host: string) => host.toLowerCase().replace(/\.$/, '');

async function lookup(resolve: () => Promise<string[]>): Promise<string[]> {
  try {
    return await resolve();
  } catch (error) {
    // No such record (or no such name): nothing to compare.
    if (['ENODATA', 'ENOTFOUND'].includes((error as { code?: string }).code ?? '')) return [];
    throw error;
  }
}

async function formDomain({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
  const distribution = stacks.web?.DistributionDomainName;
  if (!stacks.web || !distribution) return notDeployed(check, stackNames(config.stage).web);
  const domain = config.webDomainName;
  if (domain === undefined) {
    return warn(check, `geen eigen domein (webDomainName): het formulier staat op https://${distribution}`);
  }
  const cnames = await lookup(() => clients.resolver.resolveCname(domain));
  if (cnames.map(bareHost).includes(bareHost(distribution))) {
    return ok(check, `${domain} wijst (CNAME) naar ${distribution}`);
  }
  const [own, cloudFront] = await Promise.all([
    lookup(() => clients.resolver.resolve4(domain)),
    lookup(() => clients.resolver.resolve4(distribution)),
  ]);
  if (own.length > 0 && own.some((address) => cloudFront.includes(address))) {
    return ok(check, `${domain} wijst (alias) naar de adressen van ${distribution}`);
  }
  if (own.length === 0 && cnames.length === 0) {
    return blocker(check, `${domain} bestaat niet in DNS: maak een CNAME (of alias) naar ${distribution}`);
  }
  return blocker(check, `${domain} wijst naar ${[...cnames, ...own].join(', ')}, niet naar ${distribution}`);
}

async function alarmSubscribers({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
  const topic = stacks.api?.AlarmTopicArn;
  if (!stacks.api || !topic) return notDeployed(check, stackNames(config.stage).api);
  const subscriptions = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topic, NextToken: nextToken }),
    );
    subscriptions.push(...(page.Subscriptions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  // A subscription that is not confirmed yet has the ARN "PendingConfirmation".
  const confirmed = subscriptions.filter((s) => s.SubscriptionArn?.startsWith('arn:'));
  const pending = subscriptions.length - confirmed.length;
  if (confirmed.length === 0) {
    return blocker(
      check,
      pending > 0
        ? `${pending} abonnement(en) nog niet bevestigd: klik op de link in de e-mail van AWS`
        : 'niemand ontvangt de alarmen: zet alarmEmail in lib/stage-config.ts of abonneer iemand op AlarmTopicArn',
    );
  }
  return ok(
    check,
    `${confirmed.length} bevestigde ontvanger(s) (${confirmed.map((s) => s.Protocol).join(', ')})${pending ? `, ${pending} nog niet bevestigd` : ''}`,
  );
}

/** The checks in go-live order, each with the name the report gives it. */
const CHECKS: [string, (context: Context, check: string) => Promise<CheckResult>][] = [
  ['SES-identiteit', sesIdentity],
  ['SES-account', sesAccount],
  ['Lambda-concurrency', lambdaConcurrency],
  ['Organisatoren', organisers],
  ['Evenementen', eventsSeeded],
  ['Domein van het formulier', formDomain],
  ['Alarmen', alarmSubscribers],
];

/** Every check, in go-live order. A check that AWS refuses to answer (no permission, an outage) blocks too. */
export async function runChecks(config: StageConfig, clients: DoctorClients): Promise<CheckResult[]> {
  const names = stackNames(config.stage);
  let stacks: Context['stacks'];
  try {
    const [data, api, web] = await Promise.all([
      stackOutputs(clients.cloudFormation, names.data),
      stackOutputs(clients.cloudFormation, names.api),
      stackOutputs(clients.cloudFormation, names.web),
    ]);
    stacks = { data, api, web };
  } catch (error) {
    return [
      blocker(
        'AWS',
        `kon de stacks niet lezen: ${errorName(error)} (inloggegevens, rechten of regio ${config.region ?? ''})`,
      ),
    ];
  }
  const context: Context = { config, clients, stacks };
  const results: CheckResult[] = [];
  for (const [check, run] of CHECKS) {
    try {
      results.push(await run(context, check));
    } catch (error) {
      results.push(
        blocker(check, `kon niet worden nagekeken: ${errorName(error)} (rechten of bereikbaarheid van AWS)`),
      );
    }
  }
  return results;
}
