import { App } from 'aws-cdk-lib';
import { StageConfigError } from '../lib/stage-config.js';
import { addVolIsVolStacks } from '../lib/vol-is-vol-app.js';

const app = new App();
try {
  addVolIsVolStacks(app);
} catch (error) {
  // A configuration mistake is the user's to fix: say what is wrong, without a stack trace.
  if (!(error instanceof StageConfigError)) throw error;
  console.error(`vol-is-vol: ${error.message}`);
  process.exit(1);
}
