export * from './worker';
export * from './poll-schedule';
export { processJob } from './processor';
export type { ProcessorDeps } from './processor';
