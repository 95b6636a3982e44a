/**
 * One shared instance of every endpoint and model name, so that 100 000 tasks and log entries
 * hold references rather than copies parsed from each request.
 */
import { NOVITA_ENDPOINTS, VIDU_ENDPOINT_MODELS } from './constants';
import { NOVITA_FAMILY } from './novita-family';

const INTERNED = new Map<string, string>([
  ...[...Object.keys(NOVITA_ENDPOINTS), ...Object.keys(NOVITA_FAMILY)].map(
    (k): [string, string] => [`novita:${k}`, k],
  ),
  ...Object.keys(VIDU_ENDPOINT_MODELS).map((k): [string, string] => [`vidu:${k}`, k]),
  ...Object.values(VIDU_ENDPOINT_MODELS)
    .flat()
    .map((m): [string, string] => [`model:${m}`, m]),
]);

/** The shared instance of a known endpoint of `provider`, or undefined for an unknown one. */
export function internEndpoint(provider: 'novita' | 'vidu', name: string): string | undefined {
  return INTERNED.get(`${provider}:${name}`);
}

/** The shared instance of a known Vidu model name, else the name itself. */
export function internModel(model: string): string {
  return INTERNED.get(`model:${model}`) ?? model;
}
