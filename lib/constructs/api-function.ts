import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TableAccess } from '../../lambdas/routes.js';
import { repoRoot } from '../repo-root.js';
import { tableAccessStatements } from '../table-access.js';

/** The newest Node.js runtime this CDK version knows; bundles target the same major. */
export const API_FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const API_FUNCTION_TARGET = 'node24';
export const POWERTOOLS_SERVICE_NAME = 'vol-is-vol';

/**
 * ESM bundles have no `require`; CommonJS dependencies bundled into them call it for Node built-ins.
 * The banner gives them one, under a name that cannot clash with bundled code.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __volIsVolCreateRequire } from 'node:module'; const require = __volIsVolCreateRequire(import.meta.url);";

export type ApiFunctionProps = {
  /** Handler module, relative to the repository root (as in `lambdas/routes.ts`); it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly table: dynamodb.ITable;
  /** Exactly the table access this function gets; nothing else on the table is granted. */
  readonly tableAccess: TableAccess;
  readonly logRetention: logs.RetentionDays;
  /** Extra environment variables, merged over the project defaults. */
  readonly environment?: Readonly<Record<string, string>>;
};

/**
 * A Lambda function with the project defaults: Node.js 24 on arm64, ESM bundle built with the local
 * esbuild (never Docker), source maps, X-Ray, an explicit log group with the stage's retention, and
 * least-privilege table access derived from the route table.
 */
export class ApiFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: API_FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        format: nodejs.OutputFormat.ESM,
        target: API_FUNCTION_TARGET,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
      },
    });

    for (const statement of tableAccessStatements(props.table.tableArn, props.tableAccess)) {
      this.function.addToRolePolicy(statement);
    }
  }
}
