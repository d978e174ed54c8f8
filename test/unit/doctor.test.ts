/**
 * `npm run doctor`: each go-live check passing and failing, against AWS mocked at the SDK boundary
 * (aws-sdk-client-mock) and a DNS resolver of the test's own.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadStageConfig, type StageConfig } from '../../lib/stage-config.js';
import {
  type CheckResult,
  type DoctorClients,
  main,
  type Resolver,
  requiredReservedConcurrency,
  runChecks,
} from '../../scripts/doctor.js';

const cloudFormation = mockClient(CloudFormationClient);
const ses = mockClient(SESv2Client);
const lambda = mockClient(LambdaClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const mocks = [cloudFormation, ses, lambda, cognito, dynamo, sns];
afterAll(() => {
  for (const mock of mocks) mock.restore();
});

const CHECK_COUNT = 7;
const DISTRIBUTION = 'd1a2b3c4example.cloudfront.net';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:VolIsVol-production-Api-AlarmTopic';

/** A filled-in production configuration (the shipped one holds placeholders). */
const config: StageConfig = {
  ...loadStageConfig('dev'),
  stage: 'production',
  region: 'eu-west-1',
  email: {
    identity: 'aanmelden.gemeente.nl',
    createIdentity: true,
    mailFrom: 'Dag van Weerbaar Bestuur <aanmelden@aanmelden.gemeente.nl>',
    configurationSet: { kind: 'create' },
  },
  webDomainName: 'aanmelden.gemeente.nl',
  reservedConcurrency: { scheduledFunctions: 1, adminFunctions: 5, functions: {} },
};

let dns: Record<string, { cname?: string[]; a?: string[] }>;
const resolver: Resolver = {
  resolveCname: async (host) =>
    dns[host]?.cname ?? Promise.reject(Object.assign(new Error('none'), { code: 'ENODATA' })),
  resolve4: async (host) =>
    dns[host]?.a ?? Promise.reject(Object.assign(new Error('none'), { code: 'ENOTFOUND' })),
};

const clients = (): DoctorClients => ({
  cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  ses: new SESv2Client({ region: 'eu-west-1' }),
  lambda: new LambdaClient({ region: 'eu-west-1' }),
  cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  sns: new SNSClient({ region: 'eu-west-1' }),
  resolver,
});

const outputs = (values: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'x',
      CreationTime: new Date(),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});
const stackMissing = (name: string) =>
  Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

/** The three stacks of a stage, deployed, with the outputs the doctor reads. */
function deployedStacks(stage: string) {
  cloudFormation
    .on(DescribeStacksCommand, { StackName: `VolIsVol-${stage}-Data` })
    .resolves(outputs({ TableName: `vol-is-vol-${stage}-Table`, UserPoolId: 'eu-west-1_Pool' }))
    .on(DescribeStacksCommand, { StackName: `VolIsVol-${stage}-Api` })
    .resolves(outputs({ AlarmTopicArn: TOPIC }))
    .on(DescribeStacksCommand, { StackName: `VolIsVol-${stage}-Web` })
    .resolves(outputs({ DistributionDomainName: DISTRIBUTION }));
}

/** A stage that is ready: every check passes. */
beforeEach(() => {
  for (const mock of mocks) mock.reset();
  deployedStacks('production');
  cloudFormation.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        ResourceType: 'AWS::Lambda::Function',
        PhysicalResourceId: 'admin-fn',
        LogicalResourceId: 'A',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::Lambda::Function',
        PhysicalResourceId: 'sweep-fn',
        LogicalResourceId: 'S',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::SNS::Topic',
        PhysicalResourceId: TOPIC,
        LogicalResourceId: 'T',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
  lambda
    .on(GetFunctionConcurrencyCommand, { FunctionName: 'admin-fn' })
    .resolves({ ReservedConcurrentExecutions: 5 })
    .on(GetFunctionConcurrencyCommand, { FunctionName: 'sweep-fn' })
    .resolves({ ReservedConcurrentExecutions: 1 });
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 994 } });
  ses.on(GetEmailIdentityCommand).resolves({
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: true,
    DkimAttributes: { SigningEnabled: true, Status: 'SUCCESS' },
  });
  ses.on(GetAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
  });
  cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { MfaConfiguration: 'ON' } });
  cognito.on(ListUsersInGroupCommand).resolves({ Users: [{ Username: 'anna-id', Enabled: true }] });
  cognito
    .on(AdminGetUserCommand)
    .resolves({ Username: 'anna-id', UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });
  dynamo.on(GetCommand).resolves({ Item: { pk: 'EVENTS', sk: 'META', eventIds: new Set(['dag-2030']) } });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [{ SubscriptionArn: `${TOPIC}:1b2c`, Protocol: 'email', TopicArn: TOPIC }],
  });
  dns = { 'aanmelden.gemeente.nl': { cname: [`${DISTRIBUTION}.`] } };
});

/** The command line, with everything it prints. */
async function runMain(argv: string[]): Promise<{ code: number; output: string }> {
  const out: string[] = [];
  const print = (text: string) => out.push(text);
  const code = await main(argv, { out: print, err: print, env: {}, clients: () => clients() });
  return { code, output: out.join('\n') };
}

async function results(): Promise<Record<string, CheckResult>> {
  return Object.fromEntries((await runChecks(config, clients())).map((result) => [result.check, result]));
}

/** Only the named check blocks; every other one still passes. */
async function expectOnlyBlocker(check: string, message: RegExp): Promise<void> {
  const all = await results();
  expect(all[check]).toMatchObject({ status: 'blocker', message: expect.stringMatching(message) });
  for (const [name, result] of Object.entries(all))
    if (name !== check) expect(result.status, name).toBe('ok');
}

describe('a stage that is ready', () => {
  it('passes every check, in plain words', async () => {
    const all = await results();
    expect(Object.values(all).map((r) => [r.check, r.status])).toEqual([
      ['SES-identiteit', 'ok'],
      ['SES-account', 'ok'],
      ['Lambda-concurrency', 'ok'],
      ['Organisatoren', 'ok'],
      ['Evenementen', 'ok'],
      ['Domein van het formulier', 'ok'],
      ['Alarmen', 'ok'],
    ]);
    expect(all['Lambda-concurrency']?.message).toBe(
      'accountlimiet 1000, deze stage reserveert 10; daarna 990 niet gereserveerd (minimaal 100)',
    );
    expect(all.Evenementen?.message).toContain('dag-2030');
  });

  it('exits 0 and prints the report', async () => {
    deployedStacks('dev');
    const { code, output } = await runMain(['--stage', 'dev']);
    // dev has no own domain: a remark, not a blocker.
    expect(output).toContain('! Domein van het formulier: geen eigen domein');
    expect(output).toContain('Niets houdt de livegang tegen.');
    expect(code).toBe(0);
  });

  it('asks only read-only questions', async () => {
    await runChecks(config, clients());
    const sent = mocks.flatMap((mock) =>
      mock.calls().map((call) => (call.args[0] as object).constructor.name),
    );
    expect(sent.length).toBeGreaterThanOrEqual(CHECK_COUNT);
    for (const name of sent) expect(name).toMatch(/^(Describe|Get|List|AdminGetUser)[A-Za-z]*Command$/);
  });
});

describe('what blocks go-live', () => {
  it('an unverified SES identity', async () => {
    ses.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: false });
    await expectOnlyBlocker('SES-identiteit', /nog niet geverifieerd/);
  });

  it('a verified domain without DKIM', async () => {
    ses.on(GetEmailIdentityCommand).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { SigningEnabled: true, Status: 'PENDING' },
    });
    await expectOnlyBlocker('SES-identiteit', /DKIM staat niet aan \(status PENDING\)/);
  });

  it('an identity that does not exist', async () => {
    ses
      .on(GetEmailIdentityCommand)
      .rejects(Object.assign(new Error('Email identity does not exist'), { name: 'NotFoundException' }));
    await expectOnlyBlocker('SES-identiteit', /bestaat niet in SES/);
  });

  it('the SES sandbox', async () => {
    ses.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
    });
    await expectOnlyBlocker('SES-account', /sandbox.*200 per dag/);
  });

  it('a paused SES account', async () => {
    ses
      .on(GetAccountCommand)
      .resolves({ ProductionAccessEnabled: true, SendingEnabled: false, EnforcementStatus: 'SHUTDOWN' });
    await expectOnlyBlocker('SES-account', /staat stil/);
  });

  it('too little Lambda concurrency for the reserved concurrency', async () => {
    // Five scheduled functions (sendReminders among them) at 1, the admin function at 5.
    expect(requiredReservedConcurrency(config)).toBe(10);
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 11, UnreservedConcurrentExecutions: 11 } });
    lambda.on(GetFunctionConcurrencyCommand).resolves({});
    await expectOnlyBlocker('Lambda-concurrency', /daarna 1 niet gereserveerd.*hogere limiet/);
  });

  it('an organiser pool without MFA required', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { MfaConfiguration: 'OPTIONAL' } });
    await expectOnlyBlocker('Organisatoren', /geen MFA \(OPTIONAL\)/);
  });

  it('no organiser yet', async () => {
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
    await expectOnlyBlocker('Organisatoren', /niemand in de groep organisers/);
  });

  it('organisers who have not set up their authenticator app (or are disabled)', async () => {
    cognito.on(ListUsersInGroupCommand).resolves({
      Users: [
        { Username: 'new-id', Enabled: true },
        { Username: 'gone-id', Enabled: false },
      ],
    });
    cognito
      .on(AdminGetUserCommand, { Username: 'new-id' })
      .resolves({ Username: 'new-id', UserMFASettingList: [] });
    cognito
      .on(AdminGetUserCommand, { Username: 'gone-id' })
      .resolves({ Username: 'gone-id', UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });
    await expectOnlyBlocker('Organisatoren', /niemand heeft de authenticator-app/);
  });

  it('no event loaded', async () => {
    dynamo.on(GetCommand).resolves({});
    await expectOnlyBlocker('Evenementen', /geen evenement in vol-is-vol-production-Table/);
  });

  it('a form domain that points elsewhere', async () => {
    dns = { 'aanmelden.gemeente.nl': { cname: ['oude-site.example.net'] } };
    await expectOnlyBlocker('Domein van het formulier', /wijst naar oude-site\.example\.net, niet naar/);
  });

  it('a form domain that is not in DNS', async () => {
    dns = {};
    await expectOnlyBlocker('Domein van het formulier', /bestaat niet in DNS/);
  });

  it('an alarm topic without subscribers, or with unconfirmed ones only', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    await expectOnlyBlocker('Alarmen', /niemand ontvangt de alarmen/);
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', TopicArn: TOPIC }],
    });
    await expectOnlyBlocker('Alarmen', /1 abonnement\(en\) nog niet bevestigd/);
  });

  it('a stack that is not deployed', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'VolIsVol-production-Web' })
      .rejects(stackMissing('VolIsVol-production-Web'));
    await expectOnlyBlocker('Domein van het formulier', /VolIsVol-production-Web is niet gevonden/);
  });

  it('a question AWS refuses to answer', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException' }));
    await expectOnlyBlocker('Alarmen', /kon niet worden nagekeken: AuthorizationErrorException/);
  });

  it('exits 1 when anything blocks', async () => {
    deployedStacks('dev');
    dynamo.on(GetCommand).resolves({});
    const { code, output } = await runMain(['--stage', 'dev']);
    expect(code).toBe(1);
    expect(output).toMatch(/✖ Evenementen: geen evenement/);
    expect(output).toMatch(/\n1 punt houdt de livegang tegen \(✖\)\.$/);
  });
});

describe('the alias records of a custom domain', () => {
  it('accept a domain whose addresses are the distribution’s (Route 53 alias)', async () => {
    dns = {
      'aanmelden.gemeente.nl': { a: ['192.0.2.10', '192.0.2.11'] },
      [DISTRIBUTION]: { a: ['192.0.2.11', '192.0.2.12'] },
    };
    expect((await results())['Domein van het formulier']).toMatchObject({ status: 'ok', message: /alias/ });
  });
});

describe('usage', () => {
  it('needs --stage, and knows the stages', async () => {
    expect((await runMain([])).code).toBe(2);
    expect((await runMain(['--stage', 'staging'])).code).toBe(2);
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    expect(help.output).toContain('Usage: npm run doctor -- --stage');
  });
});
