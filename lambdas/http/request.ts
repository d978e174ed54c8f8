import type { APIGatewayProxyEvent } from 'aws-lambda';
import { en, nl } from 'zod/locales';
import * as z from 'zod/mini';
import { MalformedJson, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../domain/errors.js';
import type { Locale } from '../domain/registration.js';
import { localisedFieldMessage } from './field-messages.js';
import { header } from './headers.js';

/** Bodies over 10 KB are refused: a registration is a few hundred bytes. */
export const MAX_BODY_BYTES = 10 * 1024;

const zodErrorMaps = { nl: nl().localeError, en: en().localeError };

/** `application/json` or any `+json` type; a missing Content-Type is read as JSON, as API Gateway does. */
function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);
}

/**
 * Size, then media type, then syntax: each refusal has its own code and nothing has been touched yet.
 * `maxBytes` makes room for larger documents (an event definition); 10 KB otherwise.
 */
export function readJsonBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  { maxBytes = MAX_BODY_BYTES }: { maxBytes?: number } = {},
): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) throw new PayloadTooLarge();
  if (!isJsonContentType(header(event, 'content-type'))) throw new UnsupportedMediaType();
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedJson();
  }
}

/** Validates input with a zod schema; failures become VALIDATION_FAILED with one `{ path, message }` per problem. */
export function parseInput<Schema extends z.core.$ZodType>(
  schema: Schema,
  value: unknown,
  locale: Locale,
): z.output<Schema> {
  const result = z.safeParse(schema, value, { error: zodErrorMaps[locale] });
  if (result.success) return result.data;
  throw new ValidationFailed(
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message:
        (issue.code === 'custom' ? localisedFieldMessage(issue.params, locale) : undefined) ?? issue.message,
    })),
  );
}
