import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AuthorizationType, type IAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  emailSenderFunctionSpec,
  type FunctionSpec,
  functionSpecs,
  type Route,
  routes,
  scheduledFunctionSpecs,
} from '../../lambdas/routes.js';
import { ApiStack, EMAIL_SENDER, methodOptionsForAuth, pathParameters } from '../../lib/api-stack.js';
import { DataStack } from '../../lib/data-stack.js';
import { loadStageConfig } from '../../lib/stage-config.js';
import { READ_ACTIONS, WRITE_ACTIONS } from '../../lib/table-access.js';
import { iamStringLike } from '../support/iam.js';
import {
  actionsOf,
  allPolicyStatements,
  apiMethods,
  buildCustomApi,
  type CustomApi,
  configWith,
  exampleStage,
  isDynamoStatement,
  logicalIdOf,
  type PolicyStatementJson,
  propertyOf,
  referencedId,
  referencedIds,
  resourcesOf,
  resourcesOfType,
  type SynthesizedStage,
  statementsOfFunction,
  synthStage,
} from './helpers.js';

const allSpecs: Record<string, FunctionSpec> = {
  ...functionSpecs,
  ...scheduledFunctionSpecs,
  emailSender: emailSenderFunctionSpec,
};
const specNames = Object.keys(allSpecs);
const adminFunctionNames = new Set(
  routes.filter((r) => r.auth === 'admin').map((r) => r.functionName as string),
);

/** What the email sender's event source may do with the table's stream. */
const STREAM_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

type Built = Pick<SynthesizedStage, 'api' | 'apiTemplate'> | CustomApi;

function functionLogicalId(stage: Built, name: string): string {
  return logicalIdOf(stage.api.functionFor(name).function.node.defaultChild as CfnFunction);
}

function lambdaOf(stage: Built, name: string) {
  return resourcesOfType(stage.apiTemplate, 'AWS::Lambda::Function')[functionLogicalId(stage, name)];
}

function envOf(stage: Built, name: string): Record<string, unknown> {
  return propertyOf<{ Variables: Record<string, unknown> }>(lambdaOf(stage, name), 'Environment').Variables;
}

function dynamoStatementsOf(stage: Built, name: string): PolicyStatementJson[] {
  return statementsOfFunction(stage.apiTemplate, functionLogicalId(stage, name)).filter(isDynamoStatement);
}

function leadingKeys(statement: PolicyStatementJson): string[] | undefined {
  const value = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

function indexPartitionsOf(statement: PolicyStatementJson): string[] {
  const value = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Whether a function's statements allow a Query of this `gsi1` partition (IAM StringLike matching). */
function indexGrantCovers(statements: PolicyStatementJson[], partition: string): boolean {
  return statements
    .filter((statement) => actionsOf(statement).includes('dynamodb:Query'))
    .some((statement) => indexPartitionsOf(statement).some((pattern) => iamStringLike(pattern, partition)));
}

/** Whether a function's statements allow reading (GetItem) an item of this partition (IAM StringLike matching). */
function readGrantCovers(statements: PolicyStatementJson[], partition: string): boolean {
  return statements
    .filter((statement) => actionsOf(statement).includes('dynamodb:GetItem'))
    .some((statement) => (leadingKeys(statement) ?? []).some((pattern) => iamStringLike(pattern, partition)));
}

/** Every IAM statement of a template: managed/attached policies and roles' inline policies. */
function everyStatement(template: SynthesizedStage['apiTemplate']): PolicyStatementJson[] {
  return [
    ...allPolicyStatements(template),
    ...Object.values(resourcesOfType(template, 'AWS::IAM::Role')).flatMap(
      (role) =>
        (
          role.Properties?.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[] | undefined
        )?.flatMap((p) => p.PolicyDocument.Statement) ?? [],
    ),
  ];
}

/** The value the API stack uses for the table ARN: an import of the Data stack's `Fn::GetAtt Table.Arn` export. */
function importedTableArn(stage: SynthesizedStage): unknown {
  const tableId = Object.keys(resourcesOfType(stage.dataTemplate, 'AWS::DynamoDB::Table'))[0];
  const outputs = stage.dataTemplate.findOutputs('*') as Record<
    string,
    { Value: unknown; Export?: { Name: string } }
  >;
  const arnExport = Object.values(outputs).find(
    (output) =>
      referencedId(output.Value) === tableId &&
      (output.Value as { 'Fn::GetAtt': string[] })['Fn::GetAtt']?.[1] === 'Arn',
  );
  expect(arnExport?.Export?.Name).toBeDefined();
  return { 'Fn::ImportValue': arnExport?.Export?.Name };
}

const noAccess = { readKeyPrefixes: [], writeKeyPrefixes: [], queryIndexPartitions: [] };

/** A route table of the test's own: public, manage-token and admin routes, and a mail-sending function. */
const syntheticSpecs: Record<string, FunctionSpec> = {
  open: { entry: 'lambdas/handlers/health.ts', description: 'public', tableAccess: noAccess },
  mailer: {
    entry: 'lambdas/handlers/health.ts',
    description: 'sends mail',
    tableAccess: { readKeyPrefixes: ['REG#'], writeKeyPrefixes: [], queryIndexPartitions: [] },
    sendsEmail: true,
  },
  boss: { entry: 'lambdas/handlers/health.ts', description: 'admin only', tableAccess: noAccess },
};
const syntheticRoutes = [
  { method: 'GET', path: '/open', functionName: 'open', auth: 'none' },
  { method: 'POST', path: '/things/{thingId}/mail', functionName: 'mailer', auth: 'manage-token' },
  { method: 'GET', path: '/admin/things', functionName: 'boss', auth: 'admin' },
  { method: 'DELETE', path: '/admin/things/{thingId}', functionName: 'boss', auth: 'admin' },
] as unknown as Route[];
const syntheticScheduled = {
  sweeper: {
    entry: 'lambdas/handlers/health.ts',
    description: 'sweeps',
    tableAccess: noAccess,
    everyMinutes: 5,
    sendsEmail: true,
  },
};

describe('ApiStack routes', () => {
  const stage = synthStage('dev');
  const methods = apiMethods(stage.apiTemplate).filter((method) => method.httpMethod !== 'OPTIONS');

  it('has exactly one API method per route', () => {
    expect(methods.map((m) => `${m.httpMethod} ${m.path}`).sort()).toEqual(
      routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s is a Lambda proxy integration of its function, with the authorizer only if admin',
    (_label, route) => {
      const method = methods.find((m) => m.httpMethod === route.method && m.path === route.path);
      expect(method).toBeDefined();
      expect(method?.properties.Integration).toMatchObject({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
      });
      expect([...(method?.integrationRefs ?? [])]).toContain(functionLogicalId(stage, route.functionName));
      if (route.auth === 'admin') {
        expect(method?.properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
        expect(method?.properties.AuthorizerId).toBeDefined();
      } else {
        expect(method?.properties.AuthorizationType).toBe('NONE');
        expect(method?.properties.AuthorizerId).toBeUndefined();
      }
      const required = Object.keys((method?.properties.RequestParameters as object | undefined) ?? {});
      expect(required.sort()).toEqual(
        pathParameters(route.path)
          .map((p) => `method.request.path.${p}`)
          .sort(),
      );
      expect(method?.properties.RequestValidatorId).toBeDefined();
    },
  );

  it('answers CORS preflight only for the configured origins', () => {
    const preflights = apiMethods(stage.apiTemplate).filter((m) => m.httpMethod === 'OPTIONS');
    const routedPaths = new Set(routes.map((route) => route.path));
    for (const path of routedPaths) expect(preflights.map((m) => m.path)).toContain(path);
    for (const preflight of preflights) {
      const text = JSON.stringify(preflight.properties);
      for (const origin of stage.config.allowedOrigins) expect(text).toContain(origin);
      expect(text).not.toContain("'*'");
    }
  });

  it('outputs the API URL, the alarm topic and the dashboard', () => {
    expect(Object.keys(stage.apiTemplate.findOutputs('*')).sort()).toEqual(
      expect.arrayContaining(['AlarmTopicArn', 'ApiUrl', 'DashboardName']),
    );
  });
});

describe('Cognito authorizer: on every admin method and on no other', () => {
  const built = buildCustomApi({ routes: syntheticRoutes, functionSpecs: syntheticSpecs });
  const methods = apiMethods(built.apiTemplate).filter((m) => m.httpMethod !== 'OPTIONS');
  const authorizers = resourcesOfType(built.apiTemplate, 'AWS::ApiGateway::Authorizer');

  it('has one Cognito user pool authorizer on the organisers pool, reading the Authorization header', () => {
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authorizer] = Object.values(authorizers);
    expect(authorizer?.Properties).toMatchObject({
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
    expect(JSON.stringify(authorizer?.Properties?.ProviderARNs)).toContain('Fn::ImportValue');
  });

  it.each(syntheticRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_label, route) => {
    const method = methods.find((m) => m.httpMethod === route.method && m.path === route.path);
    expect(method).toBeDefined();
    const authorizerId = Object.keys(authorizers)[0];
    if (route.auth === 'admin') {
      expect(method?.properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(referencedId(method?.properties.AuthorizerId)).toBe(authorizerId);
    } else {
      expect(method?.properties.AuthorizationType).toBe('NONE');
      expect(method?.properties.AuthorizerId).toBeUndefined();
    }
  });

  it('gives ADMIN_GROUP=organisers to the functions behind admin routes only', () => {
    expect(envOf(built, 'boss').ADMIN_GROUP).toBe('organisers');
    expect(envOf(built, 'open').ADMIN_GROUP).toBeUndefined();
    expect(envOf(built, 'mailer').ADMIN_GROUP).toBeUndefined();
  });

  it('builds no authorizer when no route is admin', () => {
    const none = buildCustomApi({
      routes: syntheticRoutes.filter((r) => r.auth !== 'admin'),
      functionSpecs: {
        open: syntheticSpecs.open as FunctionSpec,
        mailer: syntheticSpecs.mailer as FunctionSpec,
      },
    });
    none.apiTemplate.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });
});

describe('ApiStack deployment stage', () => {
  it.each(['dev', 'production'])(
    '%s: stage name, throttling, error-only execution logs and log retention come from the stage config',
    (name) => {
      const stage = synthStage(name);
      const config = exampleStage(name);
      stage.apiTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: name,
        TracingEnabled: true,
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: config.throttling.rateLimit,
            ThrottlingBurstLimit: config.throttling.burstLimit,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
        ]),
      });
      const retentions = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::Logs::LogGroup')).map(
        (logGroup) => logGroup.Properties?.RetentionInDays,
      );
      // One per function (with the SES feedback function where there is a configuration set), the access log
      // and the execution log.
      const feedbackFunctions = stage.api.emailFeedback === undefined ? 0 : 1;
      expect(retentions.length).toBe(specNames.length + feedbackFunctions + 2);
      expect(new Set(retentions)).toEqual(new Set([config.logRetentionDays]));
    },
  );

  it('creates the execution log group (with retention) before the stage', () => {
    const { apiTemplate } = synthStage('dev');
    const [executionLogsId, executionLogs] =
      Object.entries(resourcesOfType(apiTemplate, 'AWS::Logs::LogGroup')).find(([, group]) =>
        JSON.stringify(group.Properties?.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
      ) ?? [];
    expect(executionLogs).toBeDefined();
    const stageResource = Object.values(
      apiTemplate.findResources('AWS::ApiGateway::Stage') as Record<string, { DependsOn?: string[] }>,
    )[0];
    expect(stageResource?.DependsOn).toContain(executionLogsId);
  });

  it('writes JSON access logs with request metadata only (no IP, query string, body or credentials)', () => {
    const { apiTemplate } = synthStage('dev');
    const stageResource = Object.values(resourcesOfType(apiTemplate, 'AWS::ApiGateway::Stage'))[0];
    const setting = stageResource?.Properties?.AccessLogSetting as {
      DestinationArn: unknown;
      Format: string;
    };
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(format).toEqual({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      errorType: '$context.error.responseType',
      wafResponseCode: '$context.wafResponseCode',
    });
    for (const forbidden of [
      'sourceIp',
      'path}',
      '$context.path',
      'querystring',
      'body',
      'Authorization',
      'claims',
    ]) {
      expect(setting.Format).not.toContain(forbidden);
    }
    // The log group's ARN without the trailing `:*` (feature flag logGroupDestinationArnWithoutWildcard).
    const logGroups = Object.keys(resourcesOfType(apiTemplate, 'AWS::Logs::LogGroup'));
    const referenced = [...referencedIds(setting.DestinationArn)];
    expect(referenced.filter((id) => logGroups.includes(id))).toHaveLength(1);
    expect(JSON.stringify(setting.DestinationArn)).not.toContain(':*');
  });
});

describe('ApiStack functions', () => {
  const stage = synthStage('dev');
  const lambdas = resourcesOfType(stage.apiTemplate, 'AWS::Lambda::Function');

  it('has one Lambda function per function spec (routes, schedules, the email sender) and no other', () => {
    expect(Object.keys(lambdas).sort()).toEqual(
      specNames.map((name) => functionLogicalId(stage, name)).sort(),
    );
  });

  it.each(specNames)('%s: Node.js 24 on arm64 with the project defaults and environment', (name) => {
    const fn = lambdas[functionLogicalId(stage, name)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: name in scheduledFunctionSpecs || name === EMAIL_SENDER ? 60 : 10,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Description: allSpecs[name]?.description,
    });
    const env = envOf(stage, name);
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'vol-is-vol',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_LOGGER_LOG_EVENT: 'false',
      NODE_OPTIONS: '--enable-source-maps',
      STAGE: 'dev',
      ALLOWED_ORIGINS: stage.config.allowedOrigins.join(','),
    });
    expect(JSON.stringify(env.TABLE_NAME)).toContain('Fn::ImportValue');
    expect(env.ADMIN_GROUP).toBe(adminFunctionNames.has(name) ? 'organisers' : undefined);
    const sendsEmail = allSpecs[name]?.sendsEmail === true;
    expect(env.MAIL_FROM).toBe(sendsEmail ? stage.config.email.mailFrom : undefined);
    expect(env.PUBLIC_BASE_URL).toBe(sendsEmail ? stage.config.publicBaseUrl : undefined);
    const logGroupId = referencedId(propertyOf<{ LogGroup: unknown }>(fn, 'LoggingConfig').LogGroup);
    expect(resourcesOfType(stage.apiTemplate, 'AWS::Logs::LogGroup')[logGroupId ?? '']).toBeDefined();
  });

  it.each(specNames)('%s: its role writes its own log group only and has no AWS-managed policy', (name) => {
    const fn = lambdas[functionLogicalId(stage, name)];
    const roleId = referencedId(fn?.Properties?.Role);
    const role = resourcesOfType(stage.apiTemplate, 'AWS::IAM::Role')[roleId ?? ''];
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    const logs = statementsOfFunction(stage.apiTemplate, functionLogicalId(stage, name)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('logs:')),
    );
    expect(logs).toHaveLength(1);
    expect(referencedId(logs[0]?.Resource)).toBe(
      referencedId(propertyOf<{ LogGroup: unknown }>(fn, 'LoggingConfig').LogGroup),
    );
  });

  it('reserves no concurrency in dev (sandbox accounts have a quota of 10)', () => {
    for (const fn of Object.values(lambdas))
      expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('production reserves concurrency for scheduled and admin-only functions from the stage config', () => {
    const production = synthStage('production');
    const config = production.config.reservedConcurrency;
    for (const name of specNames) {
      const own = routes.filter((r) => r.functionName === name);
      const expected =
        name in scheduledFunctionSpecs
          ? config.scheduledFunctions
          : own.length > 0 && own.every((r) => r.auth === 'admin')
            ? config.adminFunctions
            : undefined;
      expect(lambdaOf(production, name)?.Properties?.ReservedConcurrentExecutions).toBe(
        config.functions[name] ?? expected,
      );
    }
  });

  it('refuses reserved concurrency for a function that does not exist', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = configWith('dev', { reservedConcurrency: { functions: { nope: 1 } } });
    const data = new DataStack(app, 'Data', { config });
    expect(() => new ApiStack(app, 'Api', { config, table: data.table, userPool: data.userPool })).toThrow(
      /reservedConcurrency\.functions names "nope"/,
    );
  });
});

describe('ApiStack table grants (least privilege from routes.ts)', () => {
  const stage = synthStage('dev');
  const tableArn = importedTableArn(stage);

  it.each(specNames)('%s gets exactly the access its spec declares', (name) => {
    const access = allSpecs[name]?.tableAccess ?? noAccess;
    // The email sender also reads the table's stream (its event source): checked in email-sender.test.ts.
    const streamRead = (s: PolicyStatementJson) => actionsOf(s).some((a) => STREAM_ACTIONS.includes(a));
    const streamStatements = dynamoStatementsOf(stage, name).filter(streamRead);
    expect(streamStatements.length > 0).toBe(name === 'emailSender');
    const statements = dynamoStatementsOf(stage, name).filter((s) => !streamRead(s));
    const expected: PolicyStatementJson[] = [];
    if (access.readKeyPrefixes.length > 0) {
      expected.push({
        Sid: 'ReadOwnPartitions',
        Effect: 'Allow',
        Action: [...READ_ACTIONS],
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.readKeyPrefixes.map((p) => `${p}*`) },
        },
      });
    }
    if (access.writeKeyPrefixes.length > 0) {
      expected.push({
        Sid: 'WriteOwnPartitions',
        Effect: 'Allow',
        Action: [...WRITE_ACTIONS],
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.writeKeyPrefixes.map((p) => `${p}*`) },
        },
      });
    }
    const queries = statements.filter((s) => actionsOf(s).includes('dynamodb:Query'));
    if (access.queryIndexPartitions.length === 0) {
      expect(queries).toEqual([]);
    } else {
      expect(queries).toHaveLength(1);
      expect(JSON.stringify(queries[0]?.Resource)).toMatch(/\/index\/gsi1"/);
      expect(indexPartitionsOf(queries[0] as PolicyStatementJson)).toEqual(access.queryIndexPartitions);
    }
    // The order of actions in a statement means nothing (CDK sorts them with minimizePolicies).
    const sorted = (list: PolicyStatementJson[]) =>
      list.map((statement) => ({ ...statement, Action: [...actionsOf(statement)].sort() }));
    expect(sorted(statements.filter((s) => !actionsOf(s).includes('dynamodb:Query')))).toEqual(
      sorted(expected),
    );
  });

  it('events may only read EVENT#/WORKSHOP# partitions, query the index (waiting counts) and write nothing', () => {
    const statements = dynamoStatementsOf(stage, 'events');
    const reads = statements.filter((statement) => actionsOf(statement).includes('dynamodb:GetItem'));
    expect(reads).toHaveLength(1);
    const [read] = reads;
    expect(read && actionsOf(read).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(read && leadingKeys(read)).toEqual(['EVENT#*', 'WORKSHOP#*']);
    const others = statements.filter((statement) => statement !== read);
    for (const statement of others) expect(actionsOf(statement)).toEqual(['dynamodb:Query']);
    const actions = statements.flatMap(actionsOf);
    for (const write of [...WRITE_ACTIONS, 'dynamodb:BatchWriteItem']) expect(actions).not.toContain(write);
  });

  it('register reads only the partitions registering and promotion need (never the audit log or outbox)', () => {
    const reads = dynamoStatementsOf(stage, 'register').filter((s) =>
      actionsOf(s).includes('dynamodb:GetItem'),
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const statement of reads) {
      const keys = leadingKeys(statement);
      expect(keys).toBeDefined();
      expect(keys?.some((key) => key.startsWith('AUDIT#') || key.startsWith('MAIL#') || key === '*')).toBe(
        false,
      );
    }
  });

  it('the promotion sweep may write seats, registrations, waiting lists, the emails they owe and the new check-in code, nothing else', () => {
    const writes = dynamoStatementsOf(stage, 'promoteWaitingLists').filter((s) =>
      actionsOf(s).includes('dynamodb:UpdateItem'),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0] && leadingKeys(writes[0])?.sort()).toEqual([
      'CODE#*',
      'MAIL#*',
      'REG#*',
      'WAIT#*',
      'WORKSHOP#*',
    ]);
    const rules = resourcesOfType(stage.apiTemplate, 'AWS::Events::Rule');
    const sweep = Object.values(rules).find((rule) =>
      JSON.stringify(rule.Properties?.Targets).includes(functionLogicalId(stage, 'promoteWaitingLists')),
    );
    expect(sweep?.Properties?.ScheduleExpression).toBe('rate(1 minute)');
  });

  it('every function that frees seats may also promote: waiting lists writable where seats are released', () => {
    for (const name of ['register', 'manage', 'admin', 'promoteWaitingLists']) {
      const writeKeys = dynamoStatementsOf(stage, name)
        .filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'))
        .flatMap((s) => leadingKeys(s) ?? []);
      expect(writeKeys, name).toEqual(expect.arrayContaining(['WAIT#*', 'WORKSHOP#*', 'REG#*', 'MAIL#*']));
    }
  });

  it('no function may query the index without naming its partitions', () => {
    for (const name of specNames) {
      for (const statement of dynamoStatementsOf(stage, name)) {
        if (!actionsOf(statement).includes('dynamodb:Query')) continue;
        expect(resourcesOf(statement), name).toHaveLength(1);
        expect(indexPartitionsOf(statement), name).not.toHaveLength(0);
        expect(indexPartitionsOf(statement), name).not.toContain('*');
      }
    }
  });

  it.each(['events', 'register', 'manage', 'promoteWaitingLists', 'sendDueEmails'])(
    '%s cannot query a registration partition of the index (personal data)',
    (name) => {
      expect(indexGrantCovers(dynamoStatementsOf(stage, name), 'EVENT#dag-2026#REGS#3'), name).toBe(false);
      // Its waiting-list queries still pass.
      expect(indexGrantCovers(dynamoStatementsOf(stage, name), 'EVENT#dag-2026#WAITING'), name).toBe(true);
    },
  );

  it('the consistency check reads the registration index only for keys, status and choices', () => {
    const [query] = dynamoStatementsOf(stage, 'consistencyCheck').filter((s) =>
      actionsOf(s).includes('dynamodb:Query'),
    );
    expect(query?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVENT#*#REGS#*'] },
      'ForAllValues:StringEquals': {
        'dynamodb:Attributes': ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'id', 'status', 'choices'],
      },
      StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    for (const personal of ['name', 'email', 'organisation', 'emailHash', 'confirmation']) {
      expect(JSON.stringify(query?.Condition)).not.toContain(`"${personal}"`);
    }
    expect(indexGrantCovers([query as PolicyStatementJson], 'EVENT#dag-2026#WAITING')).toBe(false);
  });

  it.each(['sendDueEmails', 'emailSender', 'sendReminders', 'purgePersonalData'])(
    '%s reads event definitions, never the seat counters or shards (WORKSHOP#) nor an outbox entry by key',
    (name) => {
      const statements = dynamoStatementsOf(stage, name);
      expect(readGrantCovers(statements, 'EVENT#dag-2026'), name).toBe(true);
      for (const partition of ['WORKSHOP#dag-2026#a', 'WORKSHOP#dag-2026#a#3', 'MAIL#reg-1.confirmation.1']) {
        expect(readGrantCovers(statements, partition), `${name} reads ${partition}`).toBe(false);
      }
    },
  );

  it('the senders still read what an email is made of: registration, message texts; the reminders the registry', () => {
    for (const name of ['sendDueEmails', 'emailSender']) {
      const statements = dynamoStatementsOf(stage, name);
      for (const partition of ['REG#reg-1', 'MSG#dag-2026#m-1']) {
        expect(readGrantCovers(statements, partition), `${name} reads ${partition}`).toBe(true);
      }
      // Places in line: the waiting-list queue, never the registrations.
      expect(indexGrantCovers(statements, 'EVENT#dag-2026#WAITING'), name).toBe(true);
    }
    expect(readGrantCovers(dynamoStatementsOf(stage, 'sendReminders'), 'EVENTS')).toBe(true);
  });

  it("only the email senders read an organisers' message by key (its texts); the admin function lists them by index", () => {
    for (const name of specNames) {
      expect(readGrantCovers(dynamoStatementsOf(stage, name), 'MSG#dag-2026#m-1'), name).toBe(
        name === 'sendDueEmails' || name === 'emailSender',
      );
    }
    expect(indexGrantCovers(dynamoStatementsOf(stage, 'admin'), 'EVENT#dag-2026#MESSAGES')).toBe(true);
  });

  it('the purge reads the registration index for ids and status only, as the consistency check does', () => {
    const [purge] = dynamoStatementsOf(stage, 'purgePersonalData').filter((s) =>
      actionsOf(s).includes('dynamodb:Query'),
    );
    const [check] = dynamoStatementsOf(stage, 'consistencyCheck').filter((s) =>
      actionsOf(s).includes('dynamodb:Query'),
    );
    expect(purge?.Condition).toEqual(check?.Condition);
    expect(JSON.stringify(purge?.Condition)).not.toContain('"email"');
  });

  it('only the admin function may read the audit log', () => {
    for (const name of specNames) {
      expect(indexGrantCovers(dynamoStatementsOf(stage, name), 'AUDIT#dag-2026'), name).toBe(
        name === 'admin',
      );
    }
  });

  it('health has no DynamoDB statement at all', () => {
    expect(dynamoStatementsOf(stage, 'health')).toEqual([]);
  });

  it.each(['dev', 'acceptance', 'production'])(
    '%s: no IAM statement has a wildcard action; only X-Ray and the SES account read have Resource *',
    (name) => {
      const built = synthStage(name);
      const statements = [...everyStatement(built.apiTemplate), ...everyStatement(built.dataTemplate)];
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        const actions = actionsOf(statement).map((action) => action.toLowerCase());
        expect(actions.some((action) => action.includes('*'))).toBe(false);
        expect(actions).not.toContain('dynamodb:scan');
        if (resourcesOf(statement).includes('*')) {
          // ses:GetAccount supports no resource: the senders read the account's send rate.
          if (actions.length === 1 && actions[0] === 'ses:getaccount') continue;
          // ListStreams names no resource (the email sender's event source finds the table's stream with it).
          expect(actions.filter((action) => action !== 'dynamodb:liststreams').sort()).toEqual([
            'xray:puttelemetryrecords',
            'xray:puttracesegments',
          ]);
          continue;
        }
        if (isDynamoStatement(statement)) {
          const isQuery = actions.every((action) => action === 'dynamodb:query');
          // The email sender's stream reads: on the table's stream only.
          if (actions.includes('dynamodb:getrecords')) {
            expect(JSON.stringify(statement.Resource)).toContain('StreamArn');
            continue;
          }
          // Item access is always scoped to partition key prefixes; queries to named indexes.
          if (!isQuery) expect(leadingKeys(statement)).toBeDefined();
          if (isQuery) expect(JSON.stringify(statement.Resource)).toContain('/index/');
        }
      }
    },
  );
});

describe('customer-managed table key', () => {
  it('acceptance: functions with table access may use the key only through DynamoDB; writers may encrypt', () => {
    const stage = synthStage('acceptance');
    expect(stage.config.tableKmsKey).toBe('customer-managed');
    for (const name of specNames) {
      const access = allSpecs[name]?.tableAccess ?? noAccess;
      const all = statementsOfFunction(stage.apiTemplate, functionLogicalId(stage, name)).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('kms:')),
      );
      // The email sender decrypts the table's stream records (Lambda reads the stream with its role).
      const streamDecrypt = all.filter((s) => s.Condition === undefined);
      expect(streamDecrypt.map((s) => actionsOf(s).sort())).toEqual(
        name === 'emailSender' ? [['kms:Decrypt', 'kms:DescribeKey']] : [],
      );
      const kms = all.filter((s) => s.Condition !== undefined);
      const any =
        access.readKeyPrefixes.length + access.writeKeyPrefixes.length + access.queryIndexPartitions.length >
        0;
      expect(kms).toHaveLength(any ? 1 : 0);
      if (!any) continue;
      const expected = ['kms:Decrypt', 'kms:DescribeKey'];
      if (access.writeKeyPrefixes.length > 0) expected.push('kms:Encrypt', 'kms:GenerateDataKey');
      expect(actionsOf(kms[0] as PolicyStatementJson).sort()).toEqual(expected.sort());
      expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:ViaService');
      expect(JSON.stringify(kms[0]?.Resource)).toContain('Fn::ImportValue');
    }
  });

  it('dev (AWS-managed key): no function gets a KMS statement', () => {
    const stage = synthStage('dev');
    const kms = everyStatement(stage.apiTemplate).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kms:')),
    );
    expect(kms).toEqual([]);
  });
});

describe('email sending', () => {
  const config = exampleStage('acceptance');
  const built = buildCustomApi({
    config,
    routes: syntheticRoutes,
    functionSpecs: syntheticSpecs,
    scheduledFunctionSpecs: syntheticScheduled,
  });
  const sesStatements = (name: string) =>
    statementsOfFunction(built.apiTemplate, functionLogicalId(built, name)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ses:')),
    );

  it.each(['mailer', 'sweeper'])(
    '%s (sendsEmail) may only send, through the configured identity and configuration set, from mailFrom',
    (name) => {
      const statements = sesStatements(name);
      expect(statements).toHaveLength(2);
      const [statement, accountRead] = statements as [PolicyStatementJson, PolicyStatementJson];
      // Beside sending: reading the account's send rate, which names no resource (issue 16).
      expect(actionsOf(accountRead)).toEqual(['ses:GetAccount']);
      expect(accountRead.Resource).toBe('*');
      // SES API v2 SendEmail: one action, on the identity and the configuration set.
      expect(actionsOf(statement)).toEqual(['ses:SendEmail']);
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(`:identity/${config.email.identity}`);
      expect(resources).toContain(':configuration-set/');
      expect(resourcesOf(statement)).toHaveLength(2);
      expect(statement.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': `aanmelden@${config.email.identity}` },
      });
    },
  );

  it('functions that send no email have no SES permission and no mail settings', () => {
    for (const name of ['open', 'boss']) {
      expect(sesStatements(name)).toEqual([]);
      const env = envOf(built, name);
      for (const key of ['MAIL_FROM', 'MAIL_REPLY_TO', 'SES_CONFIGURATION_SET', 'PUBLIC_BASE_URL']) {
        expect(env[key]).toBeUndefined();
      }
    }
  });

  it('mail-sending functions get MAIL_FROM, MAIL_REPLY_TO, SES_CONFIGURATION_SET and PUBLIC_BASE_URL', () => {
    const env = envOf(built, 'mailer');
    expect(env.MAIL_FROM).toBe(config.email.mailFrom);
    expect(env.MAIL_REPLY_TO).toBe(config.email.replyTo);
    expect(env.PUBLIC_BASE_URL).toBe(config.publicBaseUrl);
    const setId = Object.keys(resourcesOfType(built.apiTemplate, 'AWS::SES::ConfigurationSet'))[0];
    expect(referencedId(env.SES_CONFIGURATION_SET)).toBe(setId);
  });

  it('creates the configuration set with reputation metrics, TLS required and suppression', () => {
    built.apiTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: Match.arrayWith(['BOUNCE', 'COMPLAINT']) },
    });
  });

  it('without a configuration set the grant names the identity only and no SES_CONFIGURATION_SET is set', () => {
    const plain = buildCustomApi({ routes: syntheticRoutes, functionSpecs: syntheticSpecs });
    plain.apiTemplate.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    const statement = statementsOfFunction(plain.apiTemplate, functionLogicalId(plain, 'mailer')).find((s) =>
      actionsOf(s).includes('ses:SendEmail'),
    );
    expect(resourcesOf(statement as PolicyStatementJson)).toHaveLength(1);
    expect(envOf(plain, 'mailer').SES_CONFIGURATION_SET).toBeUndefined();
    expect(envOf(plain, 'mailer').MAIL_REPLY_TO).toBeUndefined();
  });
});

describe('schedules', () => {
  const built = buildCustomApi({
    stage: 'production',
    routes: syntheticRoutes,
    functionSpecs: syntheticSpecs,
    scheduledFunctionSpecs: {
      ...syntheticScheduled,
      nightly: { ...syntheticScheduled.sweeper, everyMinutes: 60 },
    },
  });
  const rules = resourcesOfType(built.apiTemplate, 'AWS::Events::Rule');

  it('has one EventBridge rule per scheduled function, at its interval, with retries', () => {
    expect(Object.keys(rules)).toHaveLength(2);
    for (const [name, expression] of [
      ['sweeper', 'rate(5 minutes)'],
      ['nightly', 'rate(1 hour)'],
    ] as const) {
      const rule = Object.values(rules).find((r) =>
        JSON.stringify(r.Properties?.Targets).includes(functionLogicalId(built, name)),
      );
      expect(rule?.Properties).toMatchObject({ ScheduleExpression: expression, State: 'ENABLED' });
      const targets = rule?.Properties?.Targets as { RetryPolicy?: Record<string, number> }[];
      expect(targets).toHaveLength(1);
      expect(targets[0]?.RetryPolicy?.MaximumRetryAttempts).toBe(2);
      expect(targets[0]?.RetryPolicy?.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    }
  });

  it('the real scheduled functions each have a rule too', () => {
    const stage = synthStage('dev');
    const real = resourcesOfType(stage.apiTemplate, 'AWS::Events::Rule');
    expect(Object.keys(real)).toHaveLength(Object.keys(scheduledFunctionSpecs).length);
    for (const [name, spec] of Object.entries(scheduledFunctionSpecs)) {
      const rule = Object.values(real).find((r) =>
        JSON.stringify(r.Properties?.Targets).includes(functionLogicalId(stage, name)),
      );
      // CDK writes the largest whole unit: minutes, hours or days.
      const minutes = spec.everyMinutes;
      const amount = minutes % 1440 === 0 ? minutes / 1440 : minutes % 60 === 0 ? minutes / 60 : minutes;
      expect(String(rule?.Properties?.ScheduleExpression)).toMatch(new RegExp(`^rate\\(${amount} `));
    }
  });

  it('scheduled functions get small reserved concurrency, drop stale runs, and retry within their interval', () => {
    for (const name of ['sweeper', 'nightly']) {
      expect(lambdaOf(built, name)?.Properties?.ReservedConcurrentExecutions).toBe(
        built.config.reservedConcurrency.scheduledFunctions,
      );
    }
    built.apiTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('refuses a scheduled function named like a route function', () => {
    expect(() =>
      buildCustomApi({
        routes: syntheticRoutes,
        functionSpecs: syntheticSpecs,
        scheduledFunctionSpecs: { open: syntheticScheduled.sweeper },
      }),
    ).toThrow(/both a route function and a scheduled one/);
  });
});

describe('auth hook', () => {
  const authorizer: IAuthorizer = { authorizerId: 'abc123', authorizationType: AuthorizationType.COGNITO };

  it('public and manage-token routes are open at the gateway (the handler checks the token)', () => {
    expect(methodOptionsForAuth('none', undefined)).toEqual({ authorizationType: AuthorizationType.NONE });
    expect(methodOptionsForAuth('manage-token', authorizer)).toEqual({
      authorizationType: AuthorizationType.NONE,
    });
  });

  it('admin routes use the admin authorizer and refuse to synth without one', () => {
    expect(methodOptionsForAuth('admin', authorizer)).toEqual({
      authorizer,
      authorizationType: AuthorizationType.COGNITO,
    });
    expect(() => methodOptionsForAuth('admin', undefined)).toThrow(/userPool/);
  });

  it('an admin route in the route table without a user pool fails the stack', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = loadStageConfig('dev');
    const data = new DataStack(app, 'Data', { config });
    expect(
      () =>
        new ApiStack(app, 'Api', {
          config,
          table: data.table,
          functionSpecs: { health: functionSpecs.health },
          scheduledFunctionSpecs: {},
          routes: [{ method: 'GET', path: '/admin/ping', functionName: 'health', auth: 'admin' }],
        }),
    ).toThrow(/userPool/);
  });

  it('a route naming a function without a spec fails the stack', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = loadStageConfig('dev');
    const data = new DataStack(app, 'Data', { config });
    expect(
      () =>
        new ApiStack(app, 'Api', {
          config,
          table: data.table,
          functionSpecs: { health: functionSpecs.health },
          scheduledFunctionSpecs: {},
          routes: [{ method: 'GET', path: '/events/{eventId}', functionName: 'events', auth: 'none' }],
        }),
    ).toThrow(/names function "events"/);
  });

  it('finds path parameters', () => {
    expect(pathParameters('/admin/events/{eventId}/registrations/{registrationId}')).toEqual([
      'eventId',
      'registrationId',
    ]);
    expect(pathParameters('/health')).toEqual([]);
  });
});

describe('running on a table restored from point-in-time recovery (restoredTableName)', () => {
  const config = configWith('acceptance', { restoredTableName: 'vol-is-vol-acceptance-restored-2026-11-28' });
  const built = buildCustomApi({ config, routes: syntheticRoutes, functionSpecs: syntheticSpecs });

  it('points TABLE_NAME, the table grants and the table alarms at the restored table', () => {
    expect(envOf(built, 'mailer').TABLE_NAME).toBe('vol-is-vol-acceptance-restored-2026-11-28');
    const reads = dynamoStatementsOf(built, 'mailer');
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0]?.Resource)).toContain(':table/vol-is-vol-acceptance-restored-2026-11-28');
    expect(JSON.stringify(reads[0]?.Resource)).not.toContain('Fn::ImportValue');
    const alarms = JSON.stringify(resourcesOfType(built.apiTemplate, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('vol-is-vol-acceptance-restored-2026-11-28');
  });

  it('keeps using the customer-managed key of the Data stack', () => {
    const kms = statementsOfFunction(built.apiTemplate, functionLogicalId(built, 'mailer')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kms:')),
    );
    expect(JSON.stringify(kms[0]?.Resource)).toContain('Fn::ImportValue');
  });
});

describe('admin cursor secret', () => {
  const stage = synthStage('production');
  const secrets = resourcesOfType(stage.apiTemplate, 'AWS::SecretsManager::Secret');
  const [secretId, secret] = Object.entries(secrets)[0] ?? [];

  it('is generated by Secrets Manager at deploy, per stage, never a value in the template', () => {
    expect(Object.keys(secrets)).toHaveLength(1);
    expect(secret?.Properties?.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret?.Properties?.SecretString).toBeUndefined();
  });

  it('only the admin function knows where it is and may read it', () => {
    for (const name of specNames) {
      const env = envOf(stage, name);
      const reads = statementsOfFunction(stage.apiTemplate, functionLogicalId(stage, name)).filter((s) =>
        actionsOf(s).includes('secretsmanager:GetSecretValue'),
      );
      if (name === 'admin') {
        expect(referencedId(env.CURSOR_SECRET_ARN)).toBe(secretId);
        expect(reads).toHaveLength(1);
        expect(resourcesOf(reads[0] as PolicyStatementJson).map(referencedId)).toEqual([secretId]);
      } else {
        expect(env.CURSOR_SECRET_ARN, name).toBeUndefined();
        expect(reads, name).toEqual([]);
      }
      expect(env.CURSOR_SECRET, name).toBeUndefined();
    }
  });
});
