import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { repoRoot } from '../../local/stack.js';

/**
 * Checks a response the API gave against docs/openapi.json: the operation of its method and path must
 * document its status, and a JSON body must match that response's schema (an error body: the error shape
 * with one of the operation's codes for that status). Requests to no operation must answer with the error
 * shape. `api()` in local-stack.ts runs every response through it, so an undocumented answer fails the test.
 */

type OpenApi = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};

const documentId = 'openapi.json';
const document = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'openapi.json'), 'utf8')) as OpenApi;
// strict: false, because the schemas sit in an OpenAPI document, whose other keywords Ajv does not know.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, documentId);

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
  literalLength: template.replace(/\{\w+\}/g, '').length,
}));

/** The documented path a request path belongs to; literal segments win over parameters. */
function pathTemplate(urlPath: string): string | undefined {
  return templates
    .filter(({ pattern }) => pattern.test(urlPath))
    .sort((a, b) => b.literalLength - a.literalLength)[0]?.template;
}

const pointer = (...segments: string[]) =>
  segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

function validator(ref: string) {
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  return validate;
}

export function assertDocumentedResponse(response: {
  method: string;
  urlPath: string;
  status: number;
  contentType: string | null;
  body: unknown;
}): void {
  const requestPath = new URL(response.urlPath, 'http://api').pathname;
  const what = `${response.method} ${requestPath} → ${response.status}`;
  const template = pathTemplate(requestPath);
  const operation = template ? document.paths[template]?.[response.method.toLowerCase()] : undefined;
  let schemaRef: string;
  if (!template || !operation) {
    schemaRef = `${documentId}#/components/schemas/Error`;
  } else {
    const documented = operation.responses[String(response.status)];
    if (!documented) {
      throw new Error(
        `Undocumented response ${what}: docs/openapi.json lists ${Object.keys(operation.responses)}`,
      );
    }
    const mediaType = Object.keys(documented.content ?? {})[0];
    if (mediaType !== 'application/json') {
      if (!response.contentType?.startsWith(mediaType ?? '')) {
        throw new Error(`${what} is ${response.contentType}, documented as ${mediaType}`);
      }
      return;
    }
    schemaRef = `${documentId}#/${pointer('paths', template, response.method.toLowerCase(), 'responses', String(response.status), 'content', 'application/json', 'schema')}`;
  }
  const validate = validator(schemaRef);
  if (!validate(response.body)) {
    throw new Error(
      `Response ${what} does not match docs/openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body).slice(0, 2000)}`,
    );
  }
}
