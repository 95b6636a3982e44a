import type { ProviderName } from '../provider';
import { NOVITA_ENDPOINTS } from './novita';
import { NOVITA_Q1_ENDPOINTS } from './novita-q1';
import { NOVITA_Q2_ENDPOINTS } from './novita-q2';
import { NOVITA_Q3_ENDPOINTS } from './novita-q3';
import type { EndpointDef } from './types';
import { VIDU_ENDPOINTS } from './vidu';
import { viduReference2video } from './vidu-reference';
import { viduStartEnd2video } from './vidu-start-end';
import { viduText2video } from './vidu-text2video';

export type { EndpointDef } from './types';

/** Every endpoint vidu-queue can submit to, across providers. */
export const ENDPOINTS: readonly EndpointDef[] = [
  ...NOVITA_ENDPOINTS,
  ...NOVITA_Q3_ENDPOINTS,
  ...NOVITA_Q2_ENDPOINTS,
  ...NOVITA_Q1_ENDPOINTS,
  ...VIDU_ENDPOINTS,
  viduText2video,
  viduStartEnd2video,
  viduReference2video,
];

/** The endpoint `endpoint` of `provider`, or `undefined` when vidu-queue does not support it. */
export function getEndpoint(provider: ProviderName, endpoint: string): EndpointDef | undefined {
  return ENDPOINTS.find((e) => e.provider === provider && e.endpoint === endpoint);
}

/** The endpoint names of `provider`, in registry order (for "known: …" messages). */
export function endpointNames(provider: ProviderName): string[] {
  return ENDPOINTS.filter((e) => e.provider === provider).map((e) => e.endpoint);
}

/**
 * The warnings of a spec's params (see {@link EndpointDef.warnings}): `[]` for an unknown
 * endpoint. Call it on params the endpoint's schema accepted.
 */
export function endpointWarnings(
  provider: ProviderName,
  endpoint: string,
  params: Record<string, unknown>,
): string[] {
  return getEndpoint(provider, endpoint)?.warnings(params) ?? [];
}
