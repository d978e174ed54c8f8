import { App } from 'aws-cdk-lib';
import { StageConfigError } from '../lib/stage-config.js';
import { addVolIsVolStacks } from '../lib/vol-is-vol-app.js';
import { buildWebAssets } from '../lib/web-assets.js';

const app = new App();
// The form's static files, built fresh on every synth (about 0.2 s) for the Web stack's asset.
const webAssetDir = await buildWebAssets();
try {
  addVolIsVolStacks(app, webAssetDir);
} catch (error) {
  // A configuration mistake is the user's to fix: say what is wrong, without a stack trace.
  if (!(error instanceof StageConfigError)) throw error;
  console.error(`vol-is-vol: ${error.message}`);
  process.exit(1);
}
