/** The routes of each provider the simulator speaks, by name. */
import type { ProviderName } from '../jobs/provider';
import type { ProviderDialect } from './dialect';
import { novitaRoutes } from './novita-routes';
import { viduRoutes } from './vidu-routes';

export const PROVIDER_ROUTES: Readonly<Record<ProviderName, ProviderDialect>> = {
  novita: novitaRoutes,
  vidu: viduRoutes,
};

/** The provider a path belongs to, by its prefix (`/v3/` Novita, `/ent/` Vidu). */
export function providerOfPath(path: string): ProviderDialect | null {
  if (path.startsWith('/v3/')) return novitaRoutes;
  if (path.startsWith('/ent/')) return viduRoutes;
  return null;
}
