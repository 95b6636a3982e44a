export * from './stream';
export * from './webhooks';
export * from './reader';
