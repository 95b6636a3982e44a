/** Small helpers of the simulator: a seeded PRNG, a binary heap, a ring buffer, prompt logging. */
import { LOGGED_PROMPT_MAX } from './constants';

/** mulberry32: a tiny, fast, seeded PRNG returning floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value that is either fixed or drawn uniformly from `[min, max]`. */
export function sample(
  v: number | [number, number] | ((rnd: () => number) => number),
  rnd: () => number,
): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'function') return Math.round(v(rnd));
  const [lo, hi] = v;
  return Math.round(lo + (hi - lo) * rnd());
}

/** A binary min-heap ordered by `less`. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(v: T): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** A fixed-capacity log that drops its oldest entries. */
export class Ring<T> {
  private readonly items: T[] = [];
  private start = 0;
  constructor(private readonly capacity: number) {}

  push(v: T): void {
    if (this.capacity <= 0) return;
    if (this.items.length < this.capacity) {
      this.items.push(v);
    } else {
      this.items[this.start] = v;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first; only the last `limit` entries when given. */
  toArray(limit?: number): T[] {
    const all = this.items.slice(this.start).concat(this.items.slice(0, this.start));
    return limit !== undefined && limit < all.length ? all.slice(all.length - limit) : all;
  }

  clear(): void {
    this.items.length = 0;
    this.start = 0;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A prompt as the request log keeps it: cut to its first characters. */
export function truncatePrompt(p: unknown): string | undefined {
  if (typeof p !== 'string') return undefined;
  return p.length > LOGGED_PROMPT_MAX ? p.slice(0, LOGGED_PROMPT_MAX) : p;
}

/** The logged prompt of a submit body, if it is a JSON object with a string prompt. */
export function promptOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) ? truncatePrompt(body.prompt) : undefined;
  } catch {
    return undefined;
  }
}
