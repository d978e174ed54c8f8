import type { CredentialSource } from './client.js';

/**
 * The local stack's credential: the admin token printed by `npm start`, kept for this tab only
 * (sessionStorage: gone when the tab closes, never shared with other tabs, never in localStorage or an address).
 */
const KEY = 'vol-admin-token';

export const tokenCredentials: CredentialSource & { save(token: string): void; present(): boolean } = {
  save: (token) => sessionStorage.setItem(KEY, token),
  present: () => sessionStorage.getItem(KEY) !== null,
  authorization: async () => {
    const token = sessionStorage.getItem(KEY);
    return token ? `Bearer ${token}` : undefined;
  },
  signOut: async () => sessionStorage.removeItem(KEY),
};
