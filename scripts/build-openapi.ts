// `npm run build:openapi`: writes the OpenAPI document generated from the zod schemas to docs/openapi.json,
// which GET /openapi.json serves. test/unit/openapi.test.ts fails while the committed file is out of date.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../lambdas/http/openapi.js';

export const openApiPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'docs',
  'openapi.json',
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(openApiPath, openApiJson());
  console.log(`wrote ${path.relative(process.cwd(), openApiPath)}`);
}
