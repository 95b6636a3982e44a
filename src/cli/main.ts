#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { messageOf } from '../jobs/errors';
import { registerApiCommand } from './commands/api';
import { registerCancelCommand } from './commands/cancel';
import { registerDemoCommand } from './commands/demo';
import { registerEndpointsCommand } from './commands/endpoints';
import { registerEnqueueCommand } from './commands/enqueue';
import { registerEventsCommand } from './commands/events';
import { registerHealthCommand } from './commands/health';
import { registerSimulatorCommand } from './commands/simulator';
import { registerStatusCommand } from './commands/status';
import { registerWebhooksCommand } from './commands/webhooks';
import { registerWorkerCommand } from './commands/worker';
import { configFromEnv, EXIT, fail, type ConfigSource } from './shared';

/**
 * The version in vidu-queue's package.json: the nearest one above this file (two folders up
 * from src/cli and dist/cli, three from the benchmarks' build).
 */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vidu-queue' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** The `vidu-queue` program, every command registered; `config` is read when a command runs. */
export function buildProgram(config: ConfigSource = configFromEnv): Command {
  const program = new Command('vidu-queue')
    .description('A job queue worker system for asynchronous video generation APIs')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError();
  registerWorkerCommand(program, config);
  registerEnqueueCommand(program, config);
  registerStatusCommand(program, config);
  registerCancelCommand(program, config);
  registerEventsCommand(program, config);
  registerSimulatorCommand(program, config);
  registerDemoCommand(program, config);
  registerApiCommand(program, config);
  registerWebhooksCommand(program, config);
  registerHealthCommand(program, config);
  registerEndpointsCommand(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => fail(messageOf(err), EXIT.failure));
}
