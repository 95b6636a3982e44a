import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './types';

/**
 * Provider callback routes (`POST /callbacks/vidu`, `POST /callbacks/novita/:token`).
 * Placeholder until the callback verification lands; registers nothing yet.
 */
export async function callbackRoutes(_app: FastifyInstance, _deps: ApiDeps): Promise<void> {}
