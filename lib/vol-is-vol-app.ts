import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api-stack.js';
import { DataStack } from './data-stack.js';
import { type StageConfig, stackEnv, stageConfigFromContext } from './stage-config.js';
import { WebStack } from './web-stack.js';

export type VolIsVolStacks = {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly web: WebStack;
};

export const PROJECT_TAG = 'vol-is-vol';

/**
 * cdk-nag's AWS Solutions rules on every synth, as a validation plugin: any finding that is not acknowledged
 * (`Validations.of(construct).acknowledge({ id, reason })` on the narrowest construct) fails synth, warnings
 * included. `cdk synth`/`cdk deploy` print the report and exit non-zero; in-process synth (tests) throws.
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Adds the stacks of one stage to an app: `VolIsVol-<stage>-Data` (stateful), `VolIsVol-<stage>-Api`
 * (stateless) and `VolIsVol-<stage>-Web` (the form on CloudFront), checked by cdk-nag. The stage comes from
 * the app context (`-c stage=<name>`, default `dev`). `webAssetDir` holds the built pages without
 * `config.json` (`buildWebAssets()`). `bin/app.ts` and the tests build the app through this one function.
 */
export function addVolIsVolStacks(
  app: App,
  webAssetDir: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): VolIsVolStacks {
  const config = stageConfigFromContext(app.node);
  const env = stackEnv(config, processEnv);
  const prefix = `VolIsVol-${config.stage}`;

  const data = new DataStack(app, `${prefix}-Data`, {
    config,
    env,
    description: `vol-is-vol stateful resources (${config.stage})`,
    terminationProtection: config.terminationProtection,
  });

  const api = new ApiStack(app, `${prefix}-Api`, {
    config,
    env,
    table: data.table,
    tableKey: data.tableKey,
    userPool: data.userPool,
    description: `vol-is-vol API and functions (${config.stage})`,
    terminationProtection: config.terminationProtection,
  });

  const web = new WebStack(app, `${prefix}-Web`, {
    config,
    env,
    api: api.api,
    webAssetDir,
    userPool: data.userPool,
    description: `vol-is-vol registration form on CloudFront (${config.stage})`,
    terminationProtection: config.terminationProtection,
  });

  Tags.of(app).add('project', PROJECT_TAG);
  Tags.of(app).add('stage', config.stage);
  addComplianceChecks(app);

  return { config, data, api, web };
}
