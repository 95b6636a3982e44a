/**
 * Script rules: canned answers to a matching submit, and the shape of the tasks it creates
 * (outcome, polls, cancel refusal). Rules are tried in the order they were added.
 */
import type { ProviderName } from '../jobs/provider';
import { SimulatorError } from './simulator-error';
import type { TaskScript } from './tasks';
import type { ScriptRule, SimResponse } from './types';
import { isObject } from './util';

const SCRIPT_RESULTS = new Set(['succeed', 'fail', 'cancel', 'never']);

export interface ActiveRule {
  rule: ScriptRule;
  /** Tasks this rule may still apply to. */
  remaining: number;
  submitQueue: SimResponse[];
  /** Whether the rule shapes the task itself (else it ends with its submit responses). */
  shapesTask: boolean;
}

/** The rules in force. */
export class ScriptBook {
  private rules: ActiveRule[] = [];

  /** Checks a rule (it may come as JSON from the control API) and adds it last. */
  add(rule: ScriptRule): void {
    const input: unknown = rule;
    if (!isObject(input)) throw new SimulatorError('script: a rule must be an object');
    const result = rule.outcome?.result;
    if (rule.outcome !== undefined && (typeof result !== 'string' || !SCRIPT_RESULTS.has(result))) {
      throw new SimulatorError('script: outcome.result must be succeed, fail, cancel or never');
    }
    for (const key of ['submitResponses', 'pollResponses'] as const) {
      const list = rule[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((r) => isObject(r) && typeof r.status === 'number')) {
        throw new SimulatorError(`script: ${key} must be an array of {status, ...}`);
      }
    }
    const times = rule.times ?? Infinity;
    if (typeof times !== 'number' || times < 0) {
      throw new SimulatorError('script: times must be a number >= 0');
    }
    this.rules.push({
      rule,
      remaining: times,
      submitQueue: [...(rule.submitResponses ?? [])],
      shapesTask:
        rule.outcome !== undefined ||
        (rule.pollResponses?.length ?? 0) > 0 ||
        rule.cancelRefusal !== undefined,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The rule a submit falls under, and the canned answer it gets instead of a task, if any.
   * Rules whose submit answers are used up and that shape no task are dropped on the way.
   */
  forSubmit(
    p: ProviderName,
    endpoint: string,
    prompt: unknown,
  ): { rule: ActiveRule | undefined; canned: SimResponse | undefined } {
    let rule = this.find(p, endpoint, prompt);
    while (rule && rule.submitQueue.length === 0 && !rule.shapesTask) {
      this.drop(rule);
      rule = this.find(p, endpoint, prompt);
    }
    const canned = rule?.submitQueue.shift();
    if (rule && canned && rule.submitQueue.length === 0 && !rule.shapesTask) this.drop(rule);
    return { rule, canned };
  }

  /** Counts one created task against the rule. */
  consume(rule: ActiveRule): void {
    rule.remaining--;
    if (rule.remaining <= 0) this.drop(rule);
  }

  private find(p: ProviderName, endpoint: string, prompt: unknown): ActiveRule | undefined {
    return this.rules.find((r) => {
      if (r.remaining <= 0) return false;
      const m = r.rule.match;
      if (!m) return true;
      if (m.provider !== undefined && m.provider !== p) return false;
      if (m.endpoint !== undefined && m.endpoint !== endpoint) return false;
      if (m.promptIncludes !== undefined) {
        return typeof prompt === 'string' && prompt.includes(m.promptIncludes);
      }
      return true;
    });
  }

  private drop(rule: ActiveRule): void {
    this.rules.splice(this.rules.indexOf(rule), 1);
  }
}

/** The scripted extras of a task the rule creates; null for an ordinary task. */
export function taskScriptOf(rule: ScriptRule | undefined): TaskScript | null {
  const outcome = rule?.outcome;
  if (
    rule &&
    (outcome?.errorCode !== undefined ||
      outcome?.message !== undefined ||
      outcome?.etaSeconds !== undefined ||
      outcome?.progress !== undefined ||
      (rule.pollResponses?.length ?? 0) > 0 ||
      rule.cancelRefusal !== undefined)
  ) {
    return {
      errorCode: outcome?.errorCode,
      message: outcome?.message,
      etaSeconds: outcome?.etaSeconds,
      progress: outcome?.progress,
      pollResponses: [...(rule.pollResponses ?? [])],
      cancelRefusal: rule.cancelRefusal,
    };
  }
  return null;
}
