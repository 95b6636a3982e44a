/** The providers vidu-queue submits to; each has its own queue and adapter. */
export const PROVIDERS = ['novita', 'vidu'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
