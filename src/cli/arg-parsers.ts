import { InvalidArgumentError } from 'commander';

/** Parsers of option values; each throws commander's InvalidArgumentError naming the flag. */

export const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};

export const ratio = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`${name} must be a number from 0 to 1`);
  }
  return n;
};

export const port = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 65_535) {
    throw new InvalidArgumentError(`${name} must be a port number (0-65535)`);
  }
  return Number(v);
};
