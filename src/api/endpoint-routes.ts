import type { FastifyInstance } from 'fastify';
import { ENDPOINTS, getEndpoint } from '../jobs/endpoints';
import { UnknownModelError, describeEndpoint } from '../jobs/endpoints/describe';
import { PROVIDERS, type ProviderName } from '../jobs/provider';

interface EndpointParams {
  Params: { provider: string; endpoint: string };
  Querystring: { model?: string };
}

/**
 * `GET /v1/endpoints` and `GET /v1/endpoints/{provider}/{endpoint}[?model=…]`: the endpoint
 * declarations as JSON, the same as `vidu-queue endpoints --json`. Register inside the /v1
 * scope, so the bearer check applies. `reply404` answers an unknown endpoint or model.
 */
export function endpointRoutes(v1: FastifyInstance, reply404: (message: string) => Error): void {
  v1.get('/endpoints', async () => ENDPOINTS.map((def) => describeEndpoint(def)));

  v1.get<EndpointParams>('/endpoints/:provider/:endpoint', async (req) => {
    const { provider, endpoint } = req.params;
    if (!(PROVIDERS as readonly string[]).includes(provider)) {
      throw reply404(`no provider "${provider}" (known: ${PROVIDERS.join(', ')})`);
    }
    const def = getEndpoint(provider as ProviderName, endpoint);
    if (!def) {
      const known = ENDPOINTS.filter((e) => e.provider === provider).map((e) => e.endpoint);
      throw reply404(`no endpoint "${provider}/${endpoint}" (known: ${known.join(', ')})`);
    }
    try {
      return describeEndpoint(def, req.query.model);
    } catch (err) {
      if (err instanceof UnknownModelError) throw reply404(err.message);
      throw err;
    }
  });
}
