/**
 * The simulator's HTTP shell: one node:http server on 127.0.0.1, bodies read up to the largest
 * a provider accepts, JSON answers, and real-time waits (latency, hangs) that `close()` cuts
 * short. What each request gets is decided by the handler.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES } from './constants';
import type { Reply } from './dialect';
import { SimulatorError } from './simulator-error';

/** A request as the handler sees it, its body read. */
export interface SimRequest {
  method: string;
  path: string;
  url: URL;
  text: string;
  /** The body was larger than the largest a provider accepts (and was not kept). */
  tooLarge: boolean;
  authorization: string | undefined;
}

/** Decides the answer to a request; null sends nothing (the server is closing). */
export type SimHandler = (req: SimRequest) => Promise<Reply | null>;

function readBody(req: http.IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...reply.headers,
  });
  res.end(text);
}

export class SimHttpServer {
  private server: http.Server | null = null;
  private isClosed = false;
  private baseUrl = '';
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly handler: SimHandler) {}

  /** The base URL, e.g. `http://127.0.0.1:4567`; empty before `listen`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Whether `close()` was called since the last `listen()`. */
  get closed(): boolean {
    return this.isClosed;
  }

  async listen(port: number, host: string): Promise<string> {
    if (this.server) throw new SimulatorError('simulator is already listening');
    this.isClosed = false;
    const server = http.createServer((req, res) => {
      this.onRequest(req, res).catch(() => {
        send(res, {
          status: 500,
          body: { code: 500, reason: 'SIMULATOR_ERROR', message: 'internal error' },
        });
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    let h = addr.address;
    if (h === '0.0.0.0' || h === '::') h = '127.0.0.1';
    if (h.includes(':')) h = `[${h}]`;
    this.baseUrl = `http://${h}:${addr.port}`;
    return this.baseUrl;
  }

  /** Stops the server, destroys open keep-alive sockets and ends pending waits. */
  async close(): Promise<void> {
    const server = this.server;
    this.isClosed = true;
    for (const wake of [...this.sleepers]) wake();
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Waits `ms` of real time, or until `close()`. */
  sleep(ms: number): Promise<void> {
    if (!(ms > 0) || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const { text, tooLarge } = await readBody(req);
    if (this.isClosed) return;
    const reply = await this.handler({
      method,
      path: url.pathname,
      url,
      text,
      tooLarge,
      authorization: req.headers.authorization,
    });
    if (reply) send(res, reply);
  }
}
