/**
 * The go-live checks of what the stage holds and points at: organisers with MFA in Cognito, the events
 * loaded, the form's domain in DNS, and someone receiving the alarms.
 */
import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventRegistryKey } from '../lambdas/adapters/dynamodb/keys.js';
import { ORGANISERS_GROUP } from '../lib/data-stack.js';
import {
  blocker,
  type CheckResult,
  type Context,
  notDeployed,
  ok,
  stackNames,
  warn,
} from './doctor-context.js';

function hasAuthenticatorApp(user: { UserMFASettingList?: string[]; PreferredMfaSetting?: string }): boolean {
  return (
    (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA') ||
    user.PreferredMfaSetting === 'SOFTWARE_TOKEN_MFA'
  );
}

export async function organisers({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
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

export async function eventsSeeded(
  { config, clients, stacks }: Context,
  check: string,
): Promise<CheckResult> {
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

export async function formDomain({ config, clients, stacks }: Context, check: string): Promise<CheckResult> {
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

export async function alarmSubscribers(
  { config, clients, stacks }: Context,
  check: string,
): Promise<CheckResult> {
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
