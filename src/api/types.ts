import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Producer } from '../producer/producer';
import type { Clock } from '../jobs/clock';

/** What the HTTP API and its route plugins need. */
export interface ApiDeps {
  config: Config;
  producer: Producer;
  /** A connection for short commands (the producer's). */
  redis: Redis;
  logger: Logger;
  clock: Clock;
}
