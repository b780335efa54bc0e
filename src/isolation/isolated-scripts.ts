import {
  AdapterError,
  type BatchOptions,
  failedInScript,
  firstForgedGradient,
  type Script,
  type ScriptOutcome,
  type ScriptResult,
  UnsupportedValue,
  validateScript,
} from '../adapter/index.js';
import { type HostAnswer, hostErrorText } from './host-connection.js';
import type { HostError, HostScriptOutcome, WireOutcomes } from './host-protocol.js';
import { decodeOutcomes, encodeScripts } from './script-wire.js';
import { type WorkerSession, workerVector } from './worker-session.js';

function malformed(): AdapterError {
  return new AdapterError("step: the adapter's worker sent a malformed answer", 'step');
}

/** The worker's error, as the checker's thread reports it (the text, the operation, the plain data as cause). */
function workerError(error: HostError): AdapterError {
  return new AdapterError(hostErrorText(error), String(error.operation), { cause: error });
}

/** Checks that the calls of a script that ended well have the answers they need, closed loops included. */
function checkCalls(script: Script, xs: unknown[], loops: ScriptResult['loops']): void {
  const sizes: number[] = [];
  let closed = 0;
  script.calls.forEach((call, j) => {
    if (call.op === 'create') sizes.push(call.x0.length);
    else if (call.op === 'step') workerVector('step', xs[j], sizes[call.instance]!);
    else if (call.op === 'values') {
      const values = xs[j];
      if (!(values instanceof Float64Array) || values.length > call.t.length) throw malformed();
    } else if (call.op === 'closed') {
      const run = loops?.[closed++];
      if (
        run === undefined ||
        run.call !== j ||
        !Array.isArray(run.grads) ||
        !Array.isArray(run.xs) ||
        run.grads.length !== call.loop.steps ||
        run.xs.length !== call.loop.steps
      )
        throw malformed();
      const iterates = run.xs.map((x) => workerVector('step', x, sizes[call.instance]!));
      // The worker runs the adapter's code, which could have altered the checker's landscape there: its gradients are checked here.
      const forged = firstForgedGradient(call.loop, run.grads, iterates);
      if (forged >= 0)
        throw new AdapterError(
          `step: the adapter's worker reports a gradient at closed-loop step ${forged + 1} that is not the landscape's at the iterate it returned: the adapter's code altered the checker's in its worker`,
          'step',
        );
    }
  });
}

/** One script's outcome as the worker sent it, checked, with its errors made AdapterErrors again. */
function scriptOutcome(outcome: HostScriptOutcome, script: Script): ScriptOutcome {
  if (!outcome.ok) {
    if (!Number.isInteger(outcome.call) || outcome.call < 0 || outcome.call >= script.calls.length) throw malformed();
    if ('unsupported' in outcome)
      return {
        ok: false,
        call: outcome.call,
        error: new UnsupportedValue(String(outcome.unsupported.reason), outcome.unsupported.config),
      };
    return { ok: false, call: outcome.call, error: workerError(outcome.error) };
  }
  const { xs, changes, failures, loops } = outcome.result;
  if (
    !Array.isArray(xs) ||
    xs.length !== script.calls.length ||
    !Array.isArray(changes) ||
    (failures !== undefined && !Array.isArray(failures)) ||
    (loops !== undefined && !Array.isArray(loops))
  )
    throw malformed();
  checkCalls(script, xs, loops);
  const result: ScriptResult = { xs, changes };
  if (loops !== undefined) result.loops = loops;
  // A schedule's failure at one t, as text: the error the law meets when it asks for that t.
  if (failures !== undefined)
    result.failures = failures.map((f) => ({ ...f, error: workerError(f.error as HostError) }));
  return { ok: true, result };
}

/** A batch of scripts (src/adapter/script.ts) in one round trip: what makes a law's run, or all of a law's runs, one request. */
export async function runScriptsInWorker(
  session: WorkerSession,
  scripts: readonly Script[],
  options: BatchOptions = {},
): Promise<ScriptOutcome[]> {
  const host = session.current('step');
  session.takeDeferred();
  for (const script of scripts) validateScript(script);
  let answer: HostAnswer;
  // The host marks the script it runs; a batch already in flight keeps its mark.
  if (!host.unanswered) host.scriptInProgress = 0;
  try {
    answer = await host.request(
      { op: 'scripts', batch: encodeScripts(scripts) },
      session.limits,
      'script',
      options.ahead !== true,
    );
  } catch (error) {
    // The worker ended or a call hung: the script it was running is the one to blame.
    throw error instanceof AdapterError ? failedInScript(error, host.scriptInProgress) : error;
  }
  let outcomes: HostScriptOutcome[];
  try {
    outcomes = decodeOutcomes(answer.outcomes as WireOutcomes);
  } catch {
    throw malformed();
  }
  if (!Array.isArray(outcomes) || outcomes.length === 0 || outcomes.length > scripts.length) throw malformed();
  return outcomes.map((outcome, k) => scriptOutcome(outcome, scripts[k]!));
}
