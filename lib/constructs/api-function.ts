import * as path from 'node:path';
import { CfnResource, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TableAccess } from '../../lambdas/routes.js';
import { repoRoot } from '../repo-root.js';
import { tableAccessStatements, tableKeyStatement } from '../table-access.js';

/** The newest Node.js runtime this CDK version knows; bundles target the same major. */
export const API_FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const API_FUNCTION_TARGET = 'node24';
export const POWERTOOLS_SERVICE_NAME = 'vol-is-vol';

/**
 * ESM bundles have no `require` and no `__dirname`; CommonJS dependencies bundled into them use both (for Node
 * built-ins; the calendar's time zone data reads `zones/` beside itself). The banner gives them both, the
 * bundle's own directory as `__dirname`, with imports under names that cannot clash with bundled code.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __volIsVolCreateRequire } from 'node:module'; const require = __volIsVolCreateRequire(import.meta.url); " +
  "import { dirname as __volIsVolDirname } from 'node:path'; import { fileURLToPath as __volIsVolFileURLToPath } from 'node:url'; const __dirname = __volIsVolDirname(__volIsVolFileURLToPath(import.meta.url));";

/**
 * The VTIMEZONE data of the calendar attachment (`@touch4it/ical-timezones` reads `zones/<Area>/<City>.ics`
 * beside its code at run time): copied beside the bundle of every function that sends email, since a bundle
 * carries no package files. Shell commands for the construct's `afterBundling` hook.
 */
export const CALENDAR_ZONES_DIRECTORY = 'node_modules/@touch4it/ical-timezones/zones';

export function copyCalendarZones(projectRoot: string, outputDir: string): string[] {
  return [`cp -R "${path.join(projectRoot, CALENDAR_ZONES_DIRECTORY)}" "${path.join(outputDir, 'zones')}"`];
}

/**
 * SES actions a mail-sending function may use: the SES API v2 `SendEmail` (Simple content) only, nothing that
 * reads or changes SES. In IAM, v2 `SendEmail` is `ses:SendEmail` on the identity and the configuration set.
 */
export const SES_SEND_ACTIONS = ['ses:SendEmail'] as const;

/** Sending permission: the identity (and configuration set) ARNs, and the one From address allowed. */
export type EmailSending = {
  readonly identityArn: string;
  readonly configurationSetArn?: string;
  readonly fromAddress: string;
};

export type ApiFunctionProps = {
  /** Handler module, relative to the repository root (as in `lambdas/routes.ts`); it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly table: dynamodb.ITable;
  /** The table's customer-managed key, if any: the function may use it only through DynamoDB. */
  readonly tableKey?: kms.IKey;
  /** Exactly the table access this function gets; nothing else on the table is granted. */
  readonly tableAccess: TableAccess;
  readonly logRetention: logs.RetentionDays;
  /** Extra environment variables, merged over the project defaults. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Send email through SES, from one address of one identity. */
  readonly emailSending?: EmailSending;
  readonly reservedConcurrentExecutions?: number;
  /** Default 10 seconds (API Gateway gives up after 29). */
  readonly timeout?: Duration;
};

/**
 * A Lambda function with the project defaults: Node.js 24 on arm64, ESM bundle built with the local
 * esbuild (never Docker; the runtime's AWS SDK v3 stays external), source maps, X-Ray, an explicit log
 * group with the stage's retention, its own role without AWS-managed policies, and least-privilege table
 * access derived from the route table.
 */
export class ApiFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });

    // Instead of AWSLambdaBasicExecutionRole (logs on every log group of the account): this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: iamDescription(`vol-is-vol function role: ${props.description}`),
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'WriteOwnLogGroup',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: API_FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Events hold names and email addresses: never log them.
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // Mappings only: Node reads and parses the map when the bundle loads (--enable-source-maps), and the
        // sources' text (three quarters of it) is never needed for a stack trace's file and line.
        sourcesContent: false,
        format: nodejs.OutputFormat.ESM,
        target: API_FUNCTION_TARGET,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // The runtime's SDK v3: each function requires only the clients it uses (lambdas/adapters/aws-sdk.ts:
        // CommonJS `require`, found through the runtime's NODE_PATH), and ships none of them.
        externalModules: ['@aws-sdk/*'],
        ...(props.emailSending === undefined
          ? {}
          : {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  copyCalendarZones(inputDir, outputDir),
              },
            }),
      },
    });

    for (const statement of tableAccessStatements(props.table.tableArn, props.tableAccess)) {
      this.function.addToRolePolicy(statement);
    }
    if (props.tableKey !== undefined) {
      const statement = tableKeyStatement(props.tableKey.keyArn, props.tableAccess, Stack.of(this).region);
      if (statement !== undefined) this.function.addToRolePolicy(statement);
    }
    if (props.emailSending !== undefined) {
      this.function.addToRolePolicy(sesSendStatement(props.emailSending));
      this.function.addToRolePolicy(sesAccountReadStatement());
    }

    omitRedundantRoleDependency(this.function);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions (Resource must be *); neither does ses:GetAccount (the email senders read the send ' +
        'rate). Every other statement of this role names its resources.',
    });
  }
}

/**
 * CDK makes every Lambda function `DependsOn` its role, which the function's `Role` property (`Fn::GetAtt`)
 * already enforces (cfn-lint W3005). This renders `DependsOn` from the resource's real dependencies without
 * the role: the role's policies and whatever else was added stay.
 */
export function omitRedundantRoleDependency(fn: lambda.Function): void {
  const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
  const cfnRole = fn.role?.node.defaultChild;
  if (!(cfnRole instanceof CfnResource)) return;
  const stack = Stack.of(fn);
  cfnFunction.addOverride(
    'DependsOn',
    Lazy.list(
      {
        // Runs when the template is resolved, after CDK has turned construct dependencies into resource ones.
        produce: () =>
          cfnFunction
            .obtainDependencies()
            .filter((dependency): dependency is CfnResource => dependency instanceof CfnResource)
            .filter((dependency) => dependency !== cfnRole && Stack.of(dependency) === stack)
            .map((dependency) => stack.resolve(dependency.logicalId) as string)
            .sort(),
      },
      { omitEmpty: true },
    ),
  );
}

/** IAM descriptions allow Latin-1 only, at most 1,000 characters. */
export function iamDescription(text: string): string {
  return text
    .replace(/…/g, '...')
    .replace(/[\t\r\n]/g, ' ')
    .replace(/[^\u0020-\u007E\u00A1-\u00FF]/g, '?')
    .slice(0, 1000);
}

/**
 * `ses:GetAccount`: the senders read the account's send rate (`SendQuota.MaxSendRate`) to pace themselves. SES
 * has no resource-level permission for it (Resource `*`); it reads the account's quota and settings only.
 */
export function sesAccountReadStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadSendRate',
    actions: ['ses:GetAccount'],
    resources: ['*'],
  });
}

/** `ses:SendEmail` on the identity (and configuration set), only From the configured address. */
export function sesSendStatement(sending: EmailSending): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'SendFromConfiguredAddress',
    actions: [...SES_SEND_ACTIONS],
    resources: [sending.identityArn, ...(sending.configurationSetArn ? [sending.configurationSetArn] : [])],
    conditions: { StringEquals: { 'ses:FromAddress': sending.fromAddress } },
  });
}
