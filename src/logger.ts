import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The process logger. Authorization headers and anything named like a key or secret are
 * redacted wherever they appear, as a second line of defence: adapters never log them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: 'vidu-queue' },
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'config.headers',
          '*.config.headers',
          'secret',
          '*.secret',
          // The configuration's own secrets (`loadConfig`), should a whole config be logged.
          'config.*.apiKey',
          'webhookSecret',
          '*.webhookSecret',
          'apiToken',
          '*.apiToken',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(2),
  );
}
