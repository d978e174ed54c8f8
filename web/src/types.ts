import type { z } from 'zod';
import type {
  ErrorResponse,
  PublicEvent,
  PublicWorkshop,
  RegistrationView,
} from '../../lambdas/http/response-schemas.js';
import type {
  changeBodySchema,
  joinWaitingListBodySchema,
  registrationBodySchema,
  waitingListBodySchema,
} from '../../lambdas/http/schemas.js';

/**
 * The HTTP contract as the pages see it: types only, inferred from the zod schemas that validate the requests
 * and describe the responses (the same ones docs/openapi.json is generated from). Type imports vanish in the
 * build, so no zod reaches the browser.
 */

export type { PublicEvent, PublicWorkshop };
export type PublicRound = PublicEvent['rounds'][number];
export type WindowStatus = PublicEvent['registration']['status'];
export type Registration = RegistrationView;
export type Lang = Registration['locale'];
export type Choices = Registration['choices'];
export type ApiErrorBody = ErrorResponse['error'];

/** Request bodies as clients send them (before the server trims and defaults). */
export type RegistrationRequest = z.input<typeof registrationBodySchema>;
export type WaitingListRequest = z.input<typeof waitingListBodySchema>;
export type ChangeRequest = z.input<typeof changeBodySchema>;
export type JoinWaitingListRequest = z.input<typeof joinWaitingListBodySchema>;

/** The door page's answers (`POST` and `GET /admin/events/{eventId}/check-ins`). */
export type { CheckInList, CheckInView } from '../../lambdas/http/check-in-schemas.js';
