export * from './stream';
export * from './webhooks';
