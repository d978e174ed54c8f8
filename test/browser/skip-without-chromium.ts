import { type RunnerTask, type RunnerTestFile, TestRunner, type VitestTestRunner } from 'vitest';
import { skipBrowserTests } from './chromium.js';

/**
 * The browser project's runner: without Chromium (and outside CI) every collected test is reported skipped
 * before anything runs, so the files' beforeAll (which starts the stack and the browser) never runs and the
 * tests count as skipped, not failed.
 */
export default class SkipWithoutChromiumRunner extends TestRunner {
  /** Set by vitest on every runner: sends task results to the reporters. */
  declare onTaskUpdate: VitestTestRunner['onTaskUpdate'];

  async onBeforeRunFiles(files: RunnerTestFile[]): Promise<void> {
    if (!skipBrowserTests()) return;
    const skipped: RunnerTask[] = [];
    const skip = (task: RunnerTask) => {
      task.mode = 'skip';
      task.result = { state: 'skip' };
      skipped.push(task);
      if ('tasks' in task) for (const child of task.tasks) skip(child);
    };
    for (const file of files) skip(file);
    await this.onTaskUpdate?.(
      skipped.map((task) => [task.id, task.result, task.meta]),
      skipped.map((task) => [task.id, 'test-finished', undefined]),
    );
  }
}
