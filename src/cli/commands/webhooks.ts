import type { Command } from 'commander';
import {
  listDeadLetters,
  openWebhookQueue,
  replayAllDeadLetters,
  replayDeadLetter,
  type DeadLetter,
} from '../../events/webhooks';
import { createClientConnection } from '../../redis';
import { requireRedis, say, type ConfigSource } from '../shared';

/** A dead letter as printed: without its body unless asked. */
function view(dl: DeadLetter, withBody: boolean): Record<string, unknown> {
  const { body, ...rest } = dl;
  return withBody ? { ...rest, body } : rest;
}

/**
 * `vidu-queue webhooks dead [--bodies]` and `vidu-queue webhooks replay <msgId...> | --all`.
 * `config` is called when a subcommand runs (it exits on a bad configuration).
 */
export function registerWebhooksCommand(program: Command, config: ConfigSource): void {
  const webhooks = program
    .command('webhooks')
    .description('outbound webhooks: list dead letters, replay them');

  webhooks
    .command('dead')
    .description('print the dead letters (deliveries that failed every attempt) as JSON lines')
    .option('--bodies', 'include each event body')
    .action(async (opts: { bodies?: boolean }) => {
      const cfg = config();
      await requireRedis(cfg);
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
        say('name at least one msgId, or pass --all');
        process.exitCode = 1;
        return;
      }
      if (opts.all && ids.length > 0) {
        say('pass either msgIds or --all, not both');
        process.exitCode = 1;
        return;
      }
      const cfg = config();
      await requireRedis(cfg);
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
          if (done.length === 0) say('no dead letters');
          return;
        }
        for (const id of ids) {
          const dl = await replayDeadLetter(redis, queue, cfg, id);
          if (dl) print(dl);
          else {
            say(`no dead letter with msgId "${id}"`);
            process.exitCode = 1;
          }
        }
      } finally {
        await queue.close();
        redis.disconnect();
      }
    });
}
