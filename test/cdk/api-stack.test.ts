import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AuthorizationType, type IAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionSpecs, routes } from '../../lambdas/routes.js';
import { ApiStack, methodOptionsForAuth } from '../../lib/api-stack.js';
import { DataStack } from '../../lib/data-stack.js';
import { loadStageConfig } from '../../lib/stage-config.js';
import { READ_ACTIONS, WRITE_ACTIONS } from '../../lib/table-access.js';
import {
  actionsOf,
  allPolicyStatements,
  apiMethods,
  isDynamoStatement,
  logicalIdOf,
  type PolicyStatementJson,
  propertyOf,
  referencedId,
  resourcesOf,
  resourcesOfType,
  type SynthesizedStage,
  statementsOfFunction,
  synthStage,
} from './helpers.js';

const specNames = Object.keys(functionSpecs) as (keyof typeof functionSpecs)[];

function functionLogicalId(stage: SynthesizedStage, name: string): string {
  return logicalIdOf(stage.api.functionFor(name).function.node.defaultChild as CfnFunction);
}

function dynamoStatementsOf(stage: SynthesizedStage, name: string): PolicyStatementJson[] {
  return statementsOfFunction(stage.apiTemplate, functionLogicalId(stage, name)).filter(isDynamoStatement);
}

function leadingKeys(statement: PolicyStatementJson): string[] | undefined {
  const value = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
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

describe('ApiStack routes', () => {
  const stage = synthStage('dev');
  const methods = apiMethods(stage.apiTemplate).filter((method) => method.httpMethod !== 'OPTIONS');

  it('has exactly one API method per route', () => {
    expect(methods.map((m) => `${m.httpMethod} ${m.path}`).sort()).toEqual(
      routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s is a Lambda proxy integration of its function',
    (_label, route) => {
      const method = methods.find((m) => m.httpMethod === route.method && m.path === route.path);
      expect(method).toBeDefined();
      expect(method?.properties.Integration).toMatchObject({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
      });
      expect([...(method?.integrationRefs ?? [])]).toContain(functionLogicalId(stage, route.functionName));
      expect(method?.properties.AuthorizationType).toBe('NONE');
    },
  );

  it('answers CORS preflight only for the configured origins', () => {
    const preflights = apiMethods(stage.apiTemplate).filter((m) => m.httpMethod === 'OPTIONS');
    const routedPaths = new Set(routes.map((route) => route.path));
    for (const path of routedPaths) expect(preflights.map((m) => m.path)).toContain(path);
    for (const preflight of preflights) {
      const text = JSON.stringify(preflight.properties);
      for (const origin of stage.config.corsOrigins) expect(text).toContain(origin);
      expect(text).not.toContain("'*'");
    }
  });

  it('outputs the API URL', () => {
    expect(Object.keys(stage.apiTemplate.findOutputs('ApiUrl'))).toEqual(['ApiUrl']);
  });
});

describe('ApiStack deployment stage', () => {
  it.each(['dev', 'production'])(
    '%s: stage name, throttling and log retention come from the stage config',
    (name) => {
      const stage = synthStage(name);
      const config = loadStageConfig(name);
      stage.apiTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: name,
        TracingEnabled: true,
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: config.throttling.rateLimit,
            ThrottlingBurstLimit: config.throttling.burstLimit,
          }),
        ]),
      });
      const retentions = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::Logs::LogGroup')).map(
        (logGroup) => logGroup.Properties?.RetentionInDays,
      );
      expect(retentions.length).toBe(specNames.length + 1);
      expect(new Set(retentions)).toEqual(new Set([config.logRetentionDays]));
    },
  );

  it('writes JSON access logs with request metadata only (no query strings, no bodies)', () => {
    const { apiTemplate } = synthStage('dev');
    const stageResource = Object.values(resourcesOfType(apiTemplate, 'AWS::ApiGateway::Stage'))[0];
    const setting = stageResource?.Properties?.AccessLogSetting as {
      DestinationArn: unknown;
      Format: string;
    };
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(format).toEqual({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
    });
    const logGroupId = referencedId(setting.DestinationArn);
    expect(resourcesOfType(apiTemplate, 'AWS::Logs::LogGroup')[logGroupId ?? '']).toBeDefined();
  });
});

describe('ApiStack functions', () => {
  const stage = synthStage('dev');
  const lambdas = resourcesOfType(stage.apiTemplate, 'AWS::Lambda::Function');

  it('has one Lambda function per function spec and no other', () => {
    expect(Object.keys(lambdas).sort()).toEqual(
      specNames.map((name) => functionLogicalId(stage, name)).sort(),
    );
  });

  it.each(specNames)('%s: Node.js 24 on arm64 with the project defaults', (name) => {
    const fn = lambdas[functionLogicalId(stage, name)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Description: functionSpecs[name].description,
    });
    const env = propertyOf<{ Variables: Record<string, unknown> }>(fn, 'Environment').Variables;
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'vol-is-vol',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      STAGE: 'dev',
      ALLOWED_ORIGINS: stage.config.corsOrigins.join(','),
    });
    expect(JSON.stringify(env.TABLE_NAME)).toContain('Fn::ImportValue');
    const logGroupId = referencedId(propertyOf<{ LogGroup: unknown }>(fn, 'LoggingConfig').LogGroup);
    expect(resourcesOfType(stage.apiTemplate, 'AWS::Logs::LogGroup')[logGroupId ?? '']).toBeDefined();
  });
});

describe('ApiStack table grants (least privilege from routes.ts)', () => {
  const stage = synthStage('dev');
  const tableArn = importedTableArn(stage);

  it.each(specNames)('%s gets exactly the access its spec declares', (name) => {
    const access = functionSpecs[name].tableAccess;
    const statements = dynamoStatementsOf(stage, name);
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
    for (const indexName of access.queryIndexes) {
      expect(JSON.stringify(statements)).toContain(`/index/${indexName}`);
    }
    expect(statements.filter((s) => !actionsOf(s).includes('dynamodb:Query'))).toEqual(expected);
  });

  it('events may only read EVENT#/WORKSHOP# partitions and write nothing', () => {
    const statements = dynamoStatementsOf(stage, 'events');
    expect(statements).toHaveLength(1);
    const [read] = statements;
    expect(read && actionsOf(read).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(read && leadingKeys(read)).toEqual(['EVENT#*', 'WORKSHOP#*']);
    const actions = statements.flatMap(actionsOf);
    for (const write of [...WRITE_ACTIONS, 'dynamodb:BatchWriteItem']) expect(actions).not.toContain(write);
  });

  it('register cannot read REG# partitions (its reads are limited to other prefixes)', () => {
    const reads = dynamoStatementsOf(stage, 'register').filter((s) =>
      actionsOf(s).includes('dynamodb:GetItem'),
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const statement of reads) {
      const keys = leadingKeys(statement);
      expect(keys).toBeDefined();
      expect(keys?.some((key) => key.startsWith('REG#') || key === '*')).toBe(false);
    }
  });

  it('register may write exactly the WORKSHOP#/EMAIL#/REG# partitions its transaction touches', () => {
    const writes = dynamoStatementsOf(stage, 'register').filter((s) =>
      actionsOf(s).includes('dynamodb:PutItem'),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0] && leadingKeys(writes[0])).toEqual(['WORKSHOP#*', 'EMAIL#*', 'REG#*']);
  });

  it('health has no DynamoDB statement at all', () => {
    expect(dynamoStatementsOf(stage, 'health')).toEqual([]);
  });

  it('no statement anywhere grants dynamodb:*, Scan, or DynamoDB on Resource *', () => {
    const statements = [
      ...allPolicyStatements(stage.apiTemplate),
      ...allPolicyStatements(stage.dataTemplate),
      ...Object.values(resourcesOfType(stage.apiTemplate, 'AWS::IAM::Role')).flatMap(
        (role) =>
          (
            role.Properties?.Policies as
              | { PolicyDocument: { Statement: PolicyStatementJson[] } }[]
              | undefined
          )?.flatMap((p) => p.PolicyDocument.Statement) ?? [],
      ),
    ];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = actionsOf(statement).map((action) => action.toLowerCase());
      expect(actions).not.toContain('dynamodb:*');
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('dynamodb:scan');
      expect(actions.some((action) => action.startsWith('dynamodb:') && action.includes('*'))).toBe(false);
      if (isDynamoStatement(statement)) {
        expect(resourcesOf(statement)).not.toContain('*');
        const isQuery = actions.every((action) => action === 'dynamodb:query');
        // Item access is always scoped to partition key prefixes; queries to named indexes.
        if (!isQuery) expect(leadingKeys(statement)).toBeDefined();
        if (isQuery) expect(JSON.stringify(statement.Resource)).toContain('/index/');
      }
    }
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
    expect(() => methodOptionsForAuth('admin', undefined)).toThrow(/adminAuthorizer/);
  });

  it('an admin route in the route table without an authorizer fails the stack', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = loadStageConfig('dev');
    const data = new DataStack(app, 'Data', { config });
    expect(
      () =>
        new ApiStack(app, 'Api', {
          config,
          table: data.table,
          functionSpecs: { health: functionSpecs.health },
          routes: [{ method: 'GET', path: '/admin/ping', functionName: 'health', auth: 'admin' }],
        }),
    ).toThrow(/adminAuthorizer/);
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
          routes: [{ method: 'GET', path: '/events/{eventId}', functionName: 'events', auth: 'none' }],
        }),
    ).toThrow(/names function "events"/);
  });
});
