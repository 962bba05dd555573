/**
 * How long to wait for what follows a WebAuthn ceremony, a sign-in/out or a mail: several
 * server round trips and a navigation or refresh, slower than one assertion's default 5 s
 * when the machine (or a remote deployment) is busy.
 */
export const ROUND_TRIPS_TIMEOUT = 15_000;
