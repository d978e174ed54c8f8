import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Never log a name, email address, organisation, token or request body:
 * log ids, codes, counts and durations only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'vol-is-vol' });
