import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Defaults for handler modules that read their configuration at import; integration tests override them.
    env: {
      TABLE_NAME: 'vol-is-vol-test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      MAIL_FROM: 'Testdag <aanmelden@example.nl>',
      PUBLIC_BASE_URL: 'https://aanmelden.example.nl',
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
