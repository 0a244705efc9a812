/**
 * How long one step of a live check may take. `--timeout` bounds each step (the connection, each
 * reply, the handshake); `--deadline` bounds the whole check, so a server that answers every step
 * just under the timeout cannot stretch one check to five timeouts. A step's timer is therefore
 * the shorter of the two, and when the deadline is the one that ends it, the error says so
 * (kind 'deadline', naming the step it was in) instead of blaming --timeout.
 *
 * The clock is performance.now(): monotonic, so a wall-clock jump (NTP, a suspended VM) neither
 * stretches nor cuts a check short.
 */

export interface StepClock {
  /** Each step's own bound. */
  readonly timeoutMs: number;
  /** The whole check's bound, when given: it ends at `deadlineAt` (performance.now() time). */
  readonly deadlineMs?: number;
  readonly deadlineAt?: number;
}

/** A clock for one check starting now; deadlineMs undefined means no bound on the whole. */
export function startClock(timeoutMs: number, deadlineMs?: number): StepClock {
  return deadlineMs === undefined ? { timeoutMs } : { timeoutMs, deadlineMs, deadlineAt: performance.now() + deadlineMs };
}

export interface StepLimit {
  /** Milliseconds the step may take from now (0 when the deadline has passed). */
  ms: number;
  /** Whether the deadline, not the step's own timeout, is what ends it. */
  byDeadline: boolean;
}

/** The time a step starting now may take: its own timeout (default the clock's), or what is left of the deadline. */
export function stepLimit(clock: StepClock, stepMs = clock.timeoutMs): StepLimit {
  if (clock.deadlineAt === undefined) return { ms: stepMs, byDeadline: false };
  const left = Math.max(0, clock.deadlineAt - performance.now());
  return left < stepMs ? { ms: left, byDeadline: true } : { ms: stepMs, byDeadline: false };
}

/** The detail of a deadline error: "the 5 s deadline for the whole check passed". */
export function deadlineDetail(clock: StepClock): string {
  return `the ${formatSeconds(clock.deadlineMs ?? 0)} deadline for the whole check passed`;
}

/** "5 s", "0.3 s": a bound as the messages give it. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
