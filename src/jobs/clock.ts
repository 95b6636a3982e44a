/** An injectable clock (milliseconds since the epoch): expiry, windows and backoff take one. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
