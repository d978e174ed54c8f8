import type { Locale } from '../domain/registration.js';

/** Texts for people, Dutch first. Keyed by the contract's error codes. */
export const errorMessages: Record<string, Record<Locale, string>> = {
  VALIDATION_FAILED: {
    nl: 'Niet alle velden zijn goed ingevuld.',
    en: 'Some fields are missing or invalid.',
  },
  MALFORMED_JSON: {
    nl: 'De aanvraag is geen geldige JSON.',
    en: 'The request body is not valid JSON.',
  },
  INVALID_CHOICE: {
    nl: 'Kies per ronde één workshop uit die ronde.',
    en: 'Choose one workshop from each round.',
  },
  PAYLOAD_TOO_LARGE: {
    nl: 'De aanvraag is te groot.',
    en: 'The request is too large.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    nl: 'Stuur de aanvraag als JSON (Content-Type: application/json).',
    en: 'Send the request as JSON (Content-Type: application/json).',
  },
  EVENT_NOT_FOUND: {
    nl: 'Dit evenement bestaat niet.',
    en: 'This event does not exist.',
  },
  REGISTRATION_NOT_FOUND: {
    nl: 'Deze aanmelding is niet gevonden.',
    en: 'This registration was not found.',
  },
  NOT_FOUND: {
    nl: 'Deze pagina of dit adres bestaat niet.',
    en: 'This resource does not exist.',
  },
  METHOD_NOT_ALLOWED: {
    nl: 'Deze methode is hier niet toegestaan.',
    en: 'This method is not allowed here.',
  },
  WORKSHOP_FULL: {
    nl: 'Vol is vol: deze workshop heeft geen plaatsen meer. Kies een andere workshop.',
    en: 'This workshop is full. Please choose another workshop.',
  },
  ALREADY_REGISTERED: {
    nl: 'Dit e-mailadres is al aangemeld voor dit evenement. Gebruik de link in uw bevestigingsmail om uw aanmelding te bekijken of te wijzigen.',
    en: 'This email address is already registered for this event. Use the link in your confirmation email to view or change your registration.',
  },
  REGISTRATION_CLOSED: {
    nl: 'Aanmelden is nu niet mogelijk: de inschrijving is niet open.',
    en: 'Registration is not open at this time.',
  },
  ALREADY_WAITING: {
    nl: 'U staat al op deze wachtlijst. Via de link in uw e-mail ziet u uw plaats op de lijst.',
    en: 'You are already on this waiting list. The link in your email shows your place in line.',
  },
  NOT_FULL: {
    nl: 'Er is nog plaats, dus een wachtlijst is niet nodig: kies deze workshop gewoon.',
    en: 'There is still a seat, so no waiting list is needed: simply choose this workshop.',
  },
  REGISTRATION_WAITING: {
    nl: 'U staat op de wachtlijst en heeft nog geen plaatsen om te wijzigen. U wordt vanzelf aangemeld zodra er plaats is.',
    en: 'You are on the waiting list and hold no seats to change yet. You will be registered automatically as soon as there is room.',
  },
  WAITING_ENTRY_NOT_FOUND: {
    nl: 'Deze plaats op de wachtlijst bestaat niet (meer).',
    en: 'This waiting-list entry does not exist (any more).',
  },
  REGISTRATION_CANCELLED: {
    nl: 'Deze aanmelding is geannuleerd en kan niet meer worden gewijzigd. U kunt zich opnieuw aanmelden.',
    en: 'This registration was cancelled and can no longer be changed. You can register again.',
  },
  REGISTRATION_ERASED: {
    nl: 'De gegevens van deze aanmelding zijn verwijderd. Wilt u toch komen? Meld u dan opnieuw aan via het formulier.',
    en: 'The personal data of this registration has been erased. Still want to come? Please register again using the form.',
  },
  CAPACITY_BELOW_TAKEN: {
    nl: 'De capaciteit kan niet lager worden dan het aantal bezette plaatsen.',
    en: 'The capacity cannot be lower than the number of seats taken.',
  },
  CHECK_IN_CODE_UNKNOWN: {
    nl: 'Deze code hoort bij geen aanmelding voor dit evenement. Controleer de code of zoek op naam.',
    en: 'This code belongs to no registration for this event. Check the code or search by name.',
  },
  NOT_REGISTERED_FOR_WORKSHOP: {
    nl: 'Deze deelnemer is niet aangemeld voor deze workshop; in deze ronde volgt hij of zij een andere.',
    en: 'This attendee is not registered for this workshop; they hold another one in this round.',
  },
  WORKSHOP_IN_USE: {
    nl: 'Deze workshop heeft aanmeldingen en kan niet worden verwijderd of naar een andere ronde verplaatst.',
    en: 'This workshop has registrations and cannot be removed or moved to another round.',
  },
  UNAUTHORIZED: {
    nl: 'U bent niet ingelogd, of uw inlog is verlopen.',
    en: 'You are not signed in, or your sign-in has expired.',
  },
  FORBIDDEN: {
    nl: 'U heeft geen toegang: dit is alleen voor organisatoren.',
    en: 'You do not have access: this is for organisers only.',
  },
  REQUEST_IN_PROGRESS: {
    nl: 'Deze aanvraag wordt al verwerkt. Wacht even en probeer het dan opnieuw.',
    en: 'This request is already being processed. Please wait a moment and try again.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    nl: 'Deze Idempotency-Key is al gebruikt voor een andere aanvraag.',
    en: 'This Idempotency-Key was already used for a different request.',
  },
  TRY_AGAIN: {
    nl: 'Het is op dit moment erg druk. Probeer het over een paar seconden opnieuw.',
    en: 'We are very busy right now. Please try again in a few seconds.',
  },
  INTERNAL_ERROR: {
    nl: 'Er ging iets mis aan onze kant. Probeer het later opnieuw.',
    en: 'Something went wrong on our side. Please try again later.',
  },
};

/** Dutch unless the client clearly prefers English (a `locale` in the body or Accept-Language). */
export function localeFrom(acceptLanguage: string | undefined, explicit?: unknown): Locale {
  if (explicit === 'en' || explicit === 'nl') return explicit;
  if (!acceptLanguage) return 'nl';
  const preferred = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag.startsWith('nl') || entry.tag.startsWith('en'))
    .sort((a, b) => b.q - a.q)[0];
  return preferred?.tag.startsWith('en') ? 'en' : 'nl';
}
