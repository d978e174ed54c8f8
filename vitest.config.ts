import { defineConfig } from 'vitest/config';

/**
 * The test layers, one vitest project each (`npm run test:<layer>`); every test file belongs to exactly one
 * (test/tooling/test-layers.test.ts checks that). `npm test` runs them all.
 */
export const testLayers = {
  /** Use cases, handlers and adapters with fakes or aws-sdk-client-mock: seconds, no servers. */
  unit: { include: ['test/unit/**/*.test.ts', 'test/**/*.unit.test.ts'] },
  /** Handlers, store and HTTP against the embedded DynamoDB and the local SES. */
  integration: { include: ['test/integration/**/*.test.ts'] },
  /** Faults injected for real: DynamoDB errors, a chaos proxy, SES failures, timeouts. */
  faults: { include: ['test/faults/**/*.test.ts'], exclude: ['test/**/*.unit.test.ts'] },
  /** Model-based tests (fast-check) of the seat invariant and the waiting lists. */
  model: { include: ['test/model/**/*.test.ts'] },
  /** The local stack itself: the embedded DynamoDB and `npm start`. */
  local: { include: ['test/local/**/*.test.ts'] },
  /** The form and the manage page in Chromium against the local stack. */
  browser: { include: ['test/browser/**/*.test.ts'] },
  /** CDK assertion tests of the stacks. */
  cdk: { include: ['test/cdk/**/*.test.ts'] },
  /** The test layers themselves and `npm test`'s runner (in child processes). */
  tooling: { include: ['test/tooling/**/*.test.ts'] },
} satisfies Record<string, { include: string[]; exclude?: string[] }>;

export default defineConfig({
  test: {
    // Defaults for handler modules that read their configuration at import; integration tests override them.
    env: {
      TABLE_NAME: 'vol-is-vol-test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // Business metrics (EMF lines on stdout) stay out of the test output; their own test switches them on.
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      MAIL_FROM: 'Testdag <aanmelden@example.nl>',
      PUBLIC_BASE_URL: 'https://aanmelden.example.nl',
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: Object.entries(testLayers).map(([name, layer]) => ({
      extends: true,
      test: {
        name,
        ...layer,
        // Without Chromium (outside CI) the browser tests are skipped with one line saying how to get them.
        ...(name === 'browser'
          ? { runner: './test/browser/skip-without-chromium.ts', globalSetup: './test/browser/chromium.ts' }
          : {}),
      },
    })),
  },
});
