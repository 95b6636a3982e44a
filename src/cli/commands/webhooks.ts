import type { Command } from 'commander';
import type { Config } from '../config';
import {
  listDeadLetters,
  openWebhookQueue,
  replayAllDeadLetters,
  replayDeadLetter,
  type DeadLetter,
} from '../events/webhooks';
import { createClientConnection } from '../redis';

/** A dead letter as printed: without its body unless asked. */
function view(dl: DeadLetter, withBody: boolean): Record<string, unknown> {
  const { body, ...rest } = dl;
  return withBody ? { ...rest, body } : rest;
}

/**
 * `vidu-queue webhooks dead [--bodies]` and `vidu-queue webhooks replay <msgId...> | --all`.
 * `config` is called when a subcommand runs (it exits on a bad configuration).
 */
export function registerWebhooksCommand(program: Command, config: () => Config): void {
  const webhooks = program
    .command('webhooks')
    .description('outbound webhooks: list dead letters, replay them');

  webhooks
    .command('dead')
    .description('print the dead letters (deliveries that failed every attempt) as JSON lines')
    .option('--bodies', 'include each event body')
    .action(async (opts: { bodies?: boolean }) => {
      const cfg = config();
      const redis = createClientConnection(cfg.redisUrl);
      try {
        const dead = await listDeadLetters(redis, cfg.prefix);
        process.stdout.write(
          dead.map((d) => JSON.stringify(view(d, !!opts.bodies)) + '\n').join(''),
        );
      } finally {
        redis.disconnect();
      }
    });

  webhooks
    .command('replay')
    .argument('[msgId...]', 'the webhook-id of each dead letter to send again')
    .option('--all', 'replay every dead letter')
    .description(
      'send dead letters again, with the same webhook-id and fresh attempts; print each one replayed',
    )
    .action(async (ids: string[], opts: { all?: boolean }) => {
      if (!opts.all && ids.length === 0) {
        process.stderr.write('vidu-queue: name at least one msgId, or pass --all\n');
        process.exitCode = 1;
        return;
      }
      if (opts.all && ids.length > 0) {
        process.stderr.write('vidu-queue: pass either msgIds or --all, not both\n');
        process.exitCode = 1;
        return;
      }
      const cfg = config();
      const redis = createClientConnection(cfg.redisUrl);
      const queue = openWebhookQueue(redis, cfg.prefix);
      const print = (dl: DeadLetter) =>
        process.stdout.write(
          JSON.stringify({ replayed: dl.msgId, url: dl.url, type: dl.type, jobId: dl.jobId }) +
            '\n',
        );
      try {
        if (opts.all) {
          const done = await replayAllDeadLetters(redis, queue, cfg);
          for (const dl of done) print(dl);
          if (done.length === 0) process.stderr.write('vidu-queue: no dead letters\n');
          return;
        }
        for (const id of ids) {
          const dl = await replayDeadLetter(redis, queue, cfg, id);
          if (dl) print(dl);
          else {
            process.stderr.write(`vidu-queue: no dead letter with msgId "${id}"\n`);
            process.exitCode = 1;
          }
        }
      } finally {
        await queue.close();
        redis.disconnect();
      }
    });
}
