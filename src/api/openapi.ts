import { z } from 'zod';
import { ENDPOINTS } from '../jobs/endpoints';
import { endpointInfoSchema } from '../jobs/endpoints/describe';
import { paramsJsonSchema } from '../jobs/endpoints/json-schema';
import { jobEventSchema } from '../jobs/job';
import { jobSpecSchema } from '../jobs/spec';
import {
  batchCreatedSchema,
  batchRetriedSchema,
  batchViewSchema,
  cancelOutcomeSchema,
  enqueueResultSchema,
  jobViewSchema,
} from '../producer/views';
import {
  MAX_BATCH_JOBS,
  MAX_CANCEL_WAIT_MS,
  cancelQuery,
  createBatchBody,
  errorBody,
  eventsQuery,
  health,
} from './schemas';

type Json = Record<string, unknown>;

/** Drops the keys that a JSON Schema document has but an OpenAPI schema object must not. */
function bare(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** `POST /v1/batches` as documented: the body's own schema, with its jobs as job specs. */
export const createBatchRequestSchema = createBatchBody.extend({
  jobs: z.array(jobSpecSchema).min(1).max(MAX_BATCH_JOBS),
});

/**
 * The named schemas of the document, each the very zod schema that the library's types are
 * inferred from (and that the routes validate with, where they validate).
 */
export const COMPONENT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  JobSpec: jobSpecSchema,
  CreateBatchRequest: createBatchRequestSchema,
  EnqueueResult: enqueueResultSchema,
  BatchCreated: batchCreatedSchema,
  JobView: jobViewSchema,
  BatchView: batchViewSchema,
  BatchRetried: batchRetriedSchema,
  CancelOutcome: cancelOutcomeSchema,
  JobEvent: jobEventSchema,
  Error: errorBody,
  Health: health,
};

/** The components of the document: every named schema, with references between them. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(out.schemas).map(([k, v]) => [k, bare(v)]));
}

/** OpenAPI query parameters from a zod object of optional strings. */
function queryParams(schema: z.ZodObject, descriptions: Record<string, string>): Json[] {
  const js = z.toJSONSchema(schema, { io: 'input' }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
    schema: s,
  }));
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});
const err = (description: string) => json('Error', description);
const idParam = (description: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const unauthorized = err('missing or wrong bearer token');
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

/** The JSON Schema of what `GET /v1/endpoints` lists. */
function endpointInfoJson(): Json {
  return bare(z.toJSONSchema(endpointInfoSchema, { unrepresentable: 'any' }));
}

/**
 * A job spec, with its `params` as the declaration of its endpoint says: one branch per
 * (provider, endpoint), built from the same declarations as the validation.
 */
function jobSpecByEndpoint(): Json {
  return {
    allOf: [
      ref('JobSpec'),
      {
        oneOf: ENDPOINTS.map((def) => ({
          type: 'object',
          properties: {
            provider: { const: def.provider },
            endpoint: { const: def.endpoint },
            params: paramsJsonSchema(def),
          },
          required: ['provider', 'endpoint', 'params'],
        })),
      },
    ],
  };
}

/** The OpenAPI 3.1 document of the HTTP API, as `GET /openapi.json` serves it. */
export function buildOpenApiDocument(version = '0.1.0'): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'vidu-queue HTTP API',
      version,
      description:
        'Enqueue video generation jobs and batches, read and cancel them, and follow the event stream. ' +
        'Every /v1 route requires `Authorization: Bearer <API_TOKEN>`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the API_TOKEN' },
      },
      schemas: componentSchemas(),
    },
    paths: {
      '/v1/jobs': {
        post: {
          operationId: 'enqueueJob',
          summary: 'Validate and enqueue one job',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jobSpecByEndpoint() } },
          },
          responses: {
            '201': json('EnqueueResult', 'the job was created'),
            '200': json('EnqueueResult', 'the key already had a job; nothing new was enqueued'),
            '400': err('invalid spec (`invalid_request` with one issue per problem)'),
            '401': unauthorized,
            '409': err('the key already names a job on another provider (`key_conflict`)'),
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          operationId: 'getJob',
          summary: 'A job by id or key',
          parameters: [idParam('a job id or the job key (URL-encoded)')],
          responses: {
            '200': json('JobView', 'the job'),
            '401': unauthorized,
            '404': err('no such job'),
          },
        },
      },
      '/v1/jobs/{id}/cancel': {
        post: {
          operationId: 'cancelJob',
          summary: 'Cancel a job (at the provider too, where it can be)',
          parameters: [
            idParam('a job id or the job key (URL-encoded)'),
            ...queryParams(cancelQuery, {
              wait: `wait up to this many ms (at most ${MAX_CANCEL_WAIT_MS}) for a worker to carry the cancel out`,
            }),
          ],
          responses: {
            '200': json('CancelOutcome', 'the cancel was requested, carried out, or not needed'),
            '400': err('bad wait'),
            '401': unauthorized,
            '404': err('no such job'),
          },
        },
      },
      '/v1/batches': {
        post: {
          operationId: 'createBatch',
          summary: `Validate every job, then enqueue them all as one batch (1 to ${MAX_BATCH_JOBS} jobs)`,
          description:
            'Specs that share a key are one job when they are identical; when they differ, the batch is refused (`invalid_batch`, naming both indexes). ' +
            'A name that already names a batch adds these jobs to it.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('CreateBatchRequest') } },
          },
          responses: {
            '201': json('BatchCreated', 'the batch and its jobs'),
            '200': json(
              'BatchCreated',
              'the name already named a batch: the jobs were added to it (`appended: true`)',
            ),
            '400': err(
              'a bad body or name (`invalid_request`), or bad jobs (`invalid_batch`, with each bad index); nothing was enqueued',
            ),
            '401': unauthorized,
            '409': err('a key already names a job on another provider (`key_conflict`)'),
            '413': err('body too large'),
          },
        },
      },
      '/v1/batches/{id}': {
        get: {
          operationId: 'getBatch',
          summary: 'A batch: counts by state, credits, failed and expired jobs',
          parameters: [idParam('the batch id')],
          responses: {
            '200': json('BatchView', 'the batch'),
            '401': unauthorized,
            '404': err('no such batch'),
          },
        },
      },
      '/v1/batches/{id}/retry': {
        post: {
          operationId: 'retryBatch',
          summary: "Run the batch's failed and expired jobs again",
          parameters: [idParam('the batch id')],
          responses: {
            '200': json('BatchRetried', 'the job ids that were retried'),
            '401': unauthorized,
            '404': err('no such batch'),
          },
        },
      },
      '/v1/events': {
        get: {
          operationId: 'streamEvents',
          summary: 'The event stream as Server-Sent Events',
          description:
            'Each event is sent as `id: <stream id>`, `event: <type>`, `data: <JobEvent JSON>`. ' +
            'Resumes after the `Last-Event-ID` header, or after `from`; by default only new events. ' +
            'A comment line is sent after 15 s without an event.',
          parameters: [
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description: 'resume after this stream id (takes precedence over `from`)',
              schema: { type: 'string' },
            },
            ...queryParams(eventsQuery, {
              from: 'start after this stream id; 0 for the whole stream; $ (default) for new events only',
              jobId: "only this job's events (a job id or key)",
              batchId: "only this batch's events",
            }),
          ],
          responses: {
            '200': {
              description: 'a stream of events; each `data` is a JobEvent',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '400': err('bad from or Last-Event-ID'),
            '401': unauthorized,
            '503': err('too many open streams'),
          },
        },
      },
      '/v1/endpoints': {
        get: {
          operationId: 'listEndpoints',
          summary: 'Every endpoint vidu-queue accepts, with its fields, models and rules',
          responses: {
            '200': {
              description: 'the endpoints, in listing order',
              content: {
                'application/json': { schema: { type: 'array', items: endpointInfoJson() } },
              },
            },
            '401': unauthorized,
          },
        },
      },
      '/v1/endpoints/{provider}/{endpoint}': {
        get: {
          operationId: 'getEndpoint',
          summary: "One endpoint's fields, models and rules",
          parameters: [
            pathParam('provider', 'novita or vidu'),
            pathParam('endpoint', "the endpoint's name, e.g. img2video"),
            {
              name: 'model',
              in: 'query',
              required: false,
              description: "only this model, with each field's range for it",
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description: 'the endpoint',
              content: { 'application/json': { schema: endpointInfoJson() } },
            },
            '401': unauthorized,
            '404': err('no such endpoint or model (the message names the known ones)'),
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness',
          security: [],
          responses: { '200': json('Health', 'the process is up') },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          summary: 'Readiness: Redis answers PING',
          security: [],
          responses: {
            '200': json('Health', 'ready'),
            '503': json('Health', 'Redis does not answer'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          security: [],
          responses: {
            '200': {
              description: 'the OpenAPI document',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      '/callbacks/vidu': {
        post: {
          operationId: 'viduCallback',
          summary: "Vidu's task callbacks (verified by their signature; no bearer token)",
          security: [],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'accepted' } },
        },
      },
      '/callbacks/novita/{token}': {
        post: {
          operationId: 'novitaCallback',
          summary: "Novita's task webhooks (the path's secret token authenticates them)",
          security: [],
          parameters: [
            {
              name: 'token',
              in: 'path',
              required: true,
              schema: { type: 'string' },
            },
          ],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'accepted' } },
        },
      },
    },
  };
}
