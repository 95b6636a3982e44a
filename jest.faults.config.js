/**
 * `npm run test:faults`: the fault scenarios (crashes, Redis restarts, provider storms, bad
 * input, secrets, Redis Cluster), each against a real Redis and the simulator. FAULTS_QUICK=1
 * runs every scenario smaller, as CI does.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
  },
  testTimeout: 600000,
  // Scenarios start and kill processes and Redis servers: one at a time.
  maxWorkers: 1,
};
