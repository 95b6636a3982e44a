/** A misuse of the simulator's programmatic or control API (a bad rule, rate or duration). */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
}
