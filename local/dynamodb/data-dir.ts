import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Marks `dir` as used by this process (pid file), because dynalite cannot share a LevelDB directory: a second
 * instance would crash the process on its first request. Stale pid files (process gone) are taken over.
 */
export async function claimDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'embedded-dynamodb.pid');
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner > 0 && isRunning(owner)) {
      throw new Error(
        `Embedded DynamoDB data directory ${dir} is in use by process ${owner}` +
          (owner === process.pid ? ' (this process)' : '') +
          `; if that is wrong, delete ${file}`,
      );
    }
    await rm(file, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
