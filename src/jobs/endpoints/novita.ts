import { novitaQ2ProImg2video, novitaQ3ProI2v, novitaQ3TurboI2v } from './novita-i2v';
import { novitaQ2Reference2video } from './novita-reference';
import type { EndpointDef } from './types';

// Novita endpoints: POST https://api.novita.ai/v3/async/<endpoint>, each declared in the file of
// its family (novita-i2v.ts, novita-reference.ts, …) and listed here.

export { novitaQ2ProImg2video, novitaQ3ProI2v, novitaQ3TurboI2v } from './novita-i2v';
export {
  novitaQ2Reference2video,
  promptReferences,
  type PromptReferences,
} from './novita-reference';

/** Every Novita endpoint vidu-queue supports, in listing order. */
export const NOVITA_ENDPOINTS: readonly EndpointDef[] = [
  novitaQ3ProI2v,
  novitaQ3TurboI2v,
  novitaQ2ProImg2video,
  novitaQ2Reference2video,
];
