import { type App, Tags } from 'aws-cdk-lib';
import { ApiStack } from './api-stack.js';
import { DataStack } from './data-stack.js';
import { type StageConfig, stackEnv, stageConfigFromContext } from './stage-config.js';

export type VolIsVolStacks = {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
};

export const PROJECT_TAG = 'vol-is-vol';

/**
 * Adds the stacks of one stage to an app: `VolIsVol-<stage>-Data` (stateful) and `VolIsVol-<stage>-Api`
 * (stateless). The stage comes from the app context (`-c stage=<name>`, default `dev`).
 * `bin/app.ts` and the tests build the app through this one function.
 */
export function addVolIsVolStacks(app: App, processEnv: NodeJS.ProcessEnv = process.env): VolIsVolStacks {
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
    description: `vol-is-vol API and functions (${config.stage})`,
    terminationProtection: config.terminationProtection,
  });

  Tags.of(app).add('project', PROJECT_TAG);
  Tags.of(app).add('stage', config.stage);

  return { config, data, api };
}
