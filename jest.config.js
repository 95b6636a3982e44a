/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The fault scenarios run apart: npm run test:faults.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
  },
  testTimeout: 60000,
  // Each run marks its prefixes, and fails when a test leaves keys under them.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Integration tests share one Redis and one machine of 2 cores; two workers keep the run short
  // without starving the spawned worker processes of CPU.
  maxWorkers: 2,
};
