import type { EndpointDef, ModelDecl } from './types';
import { viduImg2video } from './vidu-img2video';

// Vidu official API: POST https://api.vidu.com/ent/v2/<endpoint>, each endpoint declared in its
// own file (vidu-img2video.ts, …) and listed here.

export { viduImg2video } from './vidu-img2video';
export { VIDU_REQUEST_BODY_MAX, VIDU_REQUEST_BODY_RESERVE, jsonBytes } from './vidu-common';

/** The models of Vidu `img2video` and what each allows (from its declaration). */
export const VIDU_IMG2VIDEO_MODELS: Readonly<Record<string, ModelDecl>> =
  viduImg2video.decl.models ?? {};

/** Every Vidu official endpoint vidu-queue supports, in listing order. */
export const VIDU_ENDPOINTS: readonly EndpointDef[] = [viduImg2video];
