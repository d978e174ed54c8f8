/**
 * Where the credential of the admin API comes from (the local token or Cognito); a page swaps it at sign-in.
 * Shared by the organisers' dashboard (`/admin/`) and the door page (`/checkin.html`).
 */
export type CredentialSource = { authorization(): Promise<string | undefined>; signOut(): Promise<void> };

/**
 * The local stack's credential: the admin token or the door token printed by `npm start`, kept for this tab
 * only (sessionStorage: gone when the tab closes, never shared with other tabs, never in localStorage or an
 * address). One key for both pages, so door staff sent from the dashboard to the door page stay signed in.
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
