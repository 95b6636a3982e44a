/**
 * The built-in provider simulator: a real HTTP server speaking Novita's Vidu endpoints and Vidu's
 * official API on one port, with a control API under `/__sim/`. See simulator.ts.
 */
export { createSimulator } from './simulator';
export { SimulatorError } from './simulator-error';
export type {
  ProviderCounts,
  ScriptOutcome,
  ScriptResult,
  ScriptRule,
  SimRequestKind,
  SimRequestLog,
  SimFault,
  SimResponse,
  SimTaskState,
  SimTaskView,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
} from './types';
export {
  DEFAULT_HANG_MS,
  MALFORMED_HTML_BODY,
  NOVITA_CANCELLED_REASON,
  NOVITA_DEFAULT_FAILURE_REASON,
  NOVITA_ENDPOINTS,
  NOVITA_OFF_PEAK_EXPIRED_REASON,
  NOVITA_VIDEO_URL_TTL,
  UNKNOWN_TASK_STATUSES,
  VIDU_DEFAULT_FAILURE_ERR_CODE,
  VIDU_ENDPOINT_MODELS,
  VIDU_OFF_PEAK_EXPIRED_ERR_CODE,
  VIDU_URL_TTL_SECONDS,
  VIDU_USER_CANCELLED_ERR_CODE,
} from './constants';
