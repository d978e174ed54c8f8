import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository root (the folder holding `package.json` and `package-lock.json`).
 * Entry paths in `lambdas/routes.ts` are relative to it, so they resolve the same wherever `cdk` runs.
 */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
