export * from './worker';
export * from './poll-schedule';
export { processJob, ERROR_CODES } from './processor';
export type { ProcessorDeps } from './processor';
