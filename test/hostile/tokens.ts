/** The identities of the hostile suites: an admin, two ordinary users and an attacker. */
export const TOKENS = {
  admin: { token: 'hostile-admin-token-000000', userId: 'root', isAdmin: true },
  alice: { token: 'hostile-alice-token-000000', userId: 'alice', isAdmin: false },
  bob: { token: 'hostile-bob-token-00000000', userId: 'bob', isAdmin: false },
  mallory: { token: 'hostile-mallory-token-0000', userId: 'mallory', isAdmin: false },
} as const;

/** A user of the suites. */
export type Who = keyof typeof TOKENS;
