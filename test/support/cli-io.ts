import type { Io } from '../../scripts/admin.js';

/** The organiser CLI's terminal for a test: what it prints, and the local token as its sign-in. */
export function cliIo(adminToken: string): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: {},
    fetch: globalThis.fetch,
    askPassword: async () => '',
    signIn: async () => adminToken,
  };
  return { io, out, err };
}
