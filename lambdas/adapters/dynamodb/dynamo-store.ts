import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventCatalog, RegistrationStore } from '../../ports.js';
import { systemClock } from '../system.js';
import { DynamoEventCatalog } from './event-catalog.js';
import { DynamoRegistrationStore } from './registration-store.js';
import { defaultRetryPolicy, type RetryPolicy } from './transactions.js';

/**
 * Both ports of the registration table in one object, for callers that hand the same store to both sides of a
 * use case (the composition root, scripts, tests). Each port is its own adapter: `event-catalog.ts` and
 * `registration-store.ts`.
 */
export class DynamoStore implements EventCatalog, RegistrationStore {
  readonly events: DynamoEventCatalog;
  readonly registrations: DynamoRegistrationStore;

  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    retryPolicy: RetryPolicy = defaultRetryPolicy,
    clock = systemClock,
  ) {
    this.events = new DynamoEventCatalog(client, tableName, clock, retryPolicy);
    this.registrations = new DynamoRegistrationStore(client, tableName, retryPolicy);
  }

  getEvent: EventCatalog['getEvent'] = (...args) => this.events.getEvent(...args);
  getDefinition: EventCatalog['getDefinition'] = (...args) => this.events.getDefinition(...args);
  putEventDefinition: EventCatalog['putEventDefinition'] = (...args) =>
    this.events.putEventDefinition(...args);
  createRegistration: RegistrationStore['createRegistration'] = (...args) =>
    this.registrations.createRegistration(...args);
  getRegistration: RegistrationStore['getRegistration'] = (...args) =>
    this.registrations.getRegistration(...args);
  changeChoices: RegistrationStore['changeChoices'] = (...args) => this.registrations.changeChoices(...args);
  cancelRegistration: RegistrationStore['cancelRegistration'] = (...args) =>
    this.registrations.cancelRegistration(...args);
  removePersonalData: RegistrationStore['removePersonalData'] = (...args) =>
    this.registrations.removePersonalData(...args);
  replaceManageToken: RegistrationStore['replaceManageToken'] = (...args) =>
    this.registrations.replaceManageToken(...args);
  resendConfirmation: RegistrationStore['resendConfirmation'] = (...args) =>
    this.registrations.resendConfirmation(...args);
}
