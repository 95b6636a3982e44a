export * from './producer';
