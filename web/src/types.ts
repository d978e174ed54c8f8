/**
 * The HTTP contract as the browser sees it (DESIGN.md "API contract"). The web form is a client of the API
 * like any other, so it keeps its own copy of the shapes instead of importing the backend's types.
 */

export type Lang = 'nl' | 'en';

export type PublicWorkshop = {
  id: string;
  title: string;
  description: string;
  speakers: string[];
  notice?: string;
  capacity: number;
  seatsLeft: number;
  full: boolean;
  /** How many waiting-list entries would accept this workshop. */
  waiting: number;
};

export type PublicRound = { id: string; title: string; workshops: PublicWorkshop[] };

export type WindowStatus = 'open' | 'not-yet-open' | 'closed';

export type PublicEvent = {
  id: string;
  title: string;
  date: string;
  timezone: string;
  venue?: string;
  description?: string;
  notice?: string;
  registration: { status: WindowStatus; opensAt?: string; closesAt?: string };
  rounds: PublicRound[];
};

export type Choices = Record<string, string>;

export type Registration = {
  id: string;
  eventId: string;
  name: string;
  email: string;
  organisation: string;
  jobTitle?: string;
  choices: Choices;
  status: 'confirmed' | 'cancelled' | 'waiting';
  /** Round id → the workshop ids waited for in that round (a preference: one; a place: every one accepted). */
  waitingFor?: Record<string, string[]>;
  /** Workshop id → 1-based position in that workshop's waiting line. */
  waitingPositions?: Record<string, number>;
  locale?: Lang;
  createdAt: string;
  updatedAt?: string;
};

export type ApiErrorBody = { code: string; message: string; details?: unknown };
