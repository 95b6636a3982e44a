import type { z } from 'zod';
import type { ProviderName } from '../provider';

/** One provider endpoint that vidu-queue can submit jobs to. */
export interface EndpointDef {
  provider: ProviderName;
  /** The endpoint's name in a job spec: `vidu-q3-turbo-i2v` (Novita) or `img2video` (Vidu). */
  endpoint: string;
  /** The HTTP path of the create call, e.g. `/v3/async/vidu-q3-turbo-i2v` or `/ent/v2/img2video`. */
  path: string;
  /**
   * The zod schema of the provider's request fields. It rejects unknown fields, out-of-range
   * values, wrong types and the cross-field rules the endpoint's own page states (for example
   * off-peak only with `audio: false` on Vidu `img2video`), each with a message naming the field
   * and the rule. Parsing returns the params unchanged (no defaults are filled in: the provider
   * applies its own).
   */
  params: z.ZodType<Record<string, unknown>>;
  /** Whether the endpoint accepts the provider's `off_peak` flag at all. */
  offPeak: boolean;
  /**
   * Advice about params the schema accepts: limits that the endpoint's own page does not state but
   * another page does (for example Vidu's 7 subjects on Novita's reference2video), and fields that
   * have no effect with these params. Each warning starts with the field it is about
   * (`subjects: …`). Call it on params that {@link EndpointDef.params} accepted; it never throws
   * and returns `[]` when there is nothing to say. The enqueue command prints these.
   */
  warnings(params: Record<string, unknown>): string[];
}
