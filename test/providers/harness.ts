/**
 * Shared by the provider adapter tests: a tiny real HTTP server on 127.0.0.1 with canned answers,
 * a Novita and a Vidu adapter pointed at it (started and closed around each test file that
 * imports this), and checks that every caught error keeps the API key out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  createNovitaProvider,
  createViduProvider,
  ProviderError,
  type VideoProvider,
} from '../../src/providers';

export const KEY = 'sk-test-SECRET-9f8e7d6c5b4a';
export const NOW = Date.parse('2026-11-21T00:00:00.000Z');
export const clock = () => NOW;

// ---------------------------------------------------------------------------------------------
// A tiny real HTTP server on 127.0.0.1 that records requests and answers with canned replies.

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Reply =
  | { status: number; json?: unknown; raw?: string; headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export class CannedServer {
  readonly requests: Recorded[] = [];
  reply: (req: Recorded) => Reply = () => ({ status: 200, json: {} });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(rec);
      const r = this.reply(rec);
      if (r === 'hang') return;
      if (r === 'reset') {
        req.socket.destroy();
        return;
      }
      const text = r.raw ?? (r.json === undefined ? '' : JSON.stringify(r.json));
      res.writeHead(r.status, {
        'content-type': r.raw !== undefined ? 'text/html' : 'application/json',
        ...r.headers,
      });
      res.end(text);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every request with `r`, and forgets earlier requests. */
  answer(r: Reply): void {
    this.requests.length = 0;
    this.reply = () => r;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Every error a test catches is checked here: the API key must appear nowhere in it. */
export function expectNoSecret(err: unknown): void {
  const e = err as Error;
  for (const text of [e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 10 })]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('SECRET');
  }
}

export async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    expectNoSecret(err);
    if (!(err instanceof ProviderError)) throw err;
    return err;
  }
  throw new Error('expected a ProviderError, got a result');
}

/** The fields of a ProviderError worth asserting exactly. */
export function summary(e: ProviderError) {
  return {
    provider: e.provider,
    category: e.category,
    code: e.code,
    status: e.status,
    retryable: e.retryable,
    retryAfterMs: e.retryAfterMs,
    outcomeUnknown: e.outcomeUnknown,
  };
}

export const server = new CannedServer();
export let novita: VideoProvider;
export let vidu: VideoProvider;

beforeAll(async () => {
  await server.start();
  novita = createNovitaProvider({ baseUrl: server.baseUrl, apiKey: KEY, timeoutMs: 2_000, clock });
  vidu = createViduProvider({
    baseUrl: `${server.baseUrl}/`,
    apiKey: KEY,
    timeoutMs: 2_000,
    clock,
  });
});

afterAll(async () => {
  novita.close();
  vidu.close();
  await server.stop();
});

// ---------------------------------------------------------------------------------------------
