import { existsSync } from 'node:fs';

/**
 * Where the browser tests find Chromium, and what happens without it: on a developer's machine the browser
 * tests are skipped with one line saying how to get them; under CI=true a missing Chromium stays a failure.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function skipBrowserTests(): boolean {
  return !existsSync(CHROMIUM_PATH) && process.env.CI !== 'true';
}

export const CHROMIUM_MISSING_NOTICE =
  `Browser tests skipped: no Chromium at ${CHROMIUM_PATH}. ` +
  'Install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary; under CI=true this fails.';

/** globalSetup of the browser project: the one line that says the browser tests were skipped, and why. */
export function setup(): void {
  if (skipBrowserTests()) console.warn(CHROMIUM_MISSING_NOTICE);
}
