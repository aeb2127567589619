/**
 * EventBridge Scheduler expressions (`drift.schedule`, the DriftSchedule parameter of the ScheduleV2):
 * `rate(value unit)`, six-field `cron(...)` and one-time `at(yyyy-mm-ddThh:mm:ss)`, checked as the
 * service documents them (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html), so that a
 * typo fails lint instead of `sam deploy`. Pure.
 */
export type Schedule = { kind: 'rate' | 'cron' | 'at'; expression: string; runsPerMonth: number };

/** State transitions of a drift run without drift (docs/drift.md, "Cost": 23–24, measured with `npm run bench -- --only=drift`). */
export const DRIFT_RUN_TRANSITIONS = 24;
/** Step Functions Standard workflows: USD 0.025 per 1,000 state transitions (us-east-1; other Regions differ) https://aws.amazon.com/step-functions/pricing/ */
export const USD_PER_TRANSITION = 0.025 / 1000;

const DAYS_PER_MONTH = 30;
const MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60;
const UNITS: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The expression with how often it runs (30-day months; cron's day fields approximated), or why it is
 * not one the service accepts.
 *
 * @example
 * parseSchedule('rate(15 minutes)') // { kind: 'rate', expression: 'rate(15 minutes)', runsPerMonth: 2880 }
 * parseSchedule('rate(15 minute)') // { problem: '…' }
 */
export function parseSchedule(expression: string): Schedule | { problem: string } {
  const match = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
  if (!match) return { problem: 'is not rate(…), cron(…) or at(…)' };
  const [, kind, body] = match as unknown as [string, 'rate' | 'cron' | 'at', string];
  const parsed = kind === 'rate' ? parseRate(body) : kind === 'cron' ? parseCron(body) : parseAt(body);
  return 'problem' in parsed ? parsed : { kind, expression, runsPerMonth: parsed.runsPerMonth };
}

/** The warning for a frequent schedule: runs a month and what their state transitions alone cost. */
export function describeSchedule(schedule: Schedule): string {
  const runs = Math.round(schedule.runsPerMonth);
  const transitions = runs * DRIFT_RUN_TRANSITIONS;
  const usd = transitions * USD_PER_TRANSITION;
  return `runs drift detection about ${runs.toLocaleString('en-US')} times a month: about ${transitions.toLocaleString('en-US')} state transitions (${DRIFT_RUN_TRANSITIONS} per run without drift), USD ${usd.toFixed(2)} a month at USD 0.025 per 1,000 transitions (us-east-1), before Lambda, SSM polls and a repair's own runs`;
}

function parseRate(body: string): { runsPerMonth: number } | { problem: string } {
  const match = /^([1-9]\d*) ([a-z]+)$/.exec(body);
  if (!match) return { problem: 'is not rate(value unit) with a positive whole value and one space, for example rate(15 minutes)' };
  const value = Number(match[1]);
  const unit = match[2]!;
  if (!(unit in UNITS)) return { problem: `has the unit "${unit}": use minute(s), hour(s) or day(s)` };
  // "If the value is equal to 1, then the unit must be singular … greater than 1, plural" (EventBridge rate expressions).
  if ((value === 1) !== !unit.endsWith('s')) return { problem: value === 1 ? `needs the singular unit for 1: rate(1 ${unit.replace(/s$/, '')})` : `needs the plural unit for ${value}: rate(${value} ${unit}s)` };
  return { runsPerMonth: MINUTES_PER_MONTH / (value * UNITS[unit]!) };
}

type Field = { name: string; min: number; max: number; names?: string[]; extra: RegExp };

const CRON_FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59, extra: /^$/ },
  { name: 'hours', min: 0, max: 23, extra: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, extra: /^(\?|L|\d?L|[1-7A-Z]{1,3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199, extra: /^$/ },
];

function parseCron(body: string): { runsPerMonth: number } | { problem: string } {
  const fields = body.split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) return { problem: `has ${body.trim().split(/\s+/).length} fields, not the six of cron(minutes hours day-of-month month day-of-week year), separated by single spaces` };
  const counts: number[] = [];
  for (const [i, text] of fields.entries()) {
    const field = CRON_FIELDS[i]!;
    const count = countField(text, field);
    if (count === undefined) return { problem: `has "${text}" as its ${field.name}, which is not a value ${field.min}–${field.max}${field.names ? ` (or ${field.names[0]}–${field.names.at(-1)})` : ''}, a list, range, step or allowed wildcard` };
    counts.push(count);
  }
  const [dom, dow] = [fields[2]!, fields[4]!];
  if ((dom === '?') === (dow === '?')) return { problem: 'must have ? in exactly one of day-of-month and day-of-week (EventBridge cannot use both)' };
  const days = dom === '?' ? (counts[4]! / 7) * DAYS_PER_MONTH : counts[2]! === 31 ? DAYS_PER_MONTH : counts[2]!;
  return { runsPerMonth: counts[0]! * counts[1]! * days * (counts[3]! / 12) };
}

/** How many values a cron field selects (wildcard extras count as one), undefined when it is not valid. */
function countField(text: string, field: Field): number | undefined {
  if (field.extra.test(text)) return text === '?' ? 7 : 1;
  let total = 0;
  for (const part of text.split(',')) {
    const step = /^(.+)\/(\d+)$/.exec(part);
    const [range, by] = step ? [step[1]!, Number(step[2])] : [part, 1];
    if (by < 1) return undefined;
    const bounds = range === '*' ? [field.min, field.max] : range.split('-').map((v) => valueOf(v, field));
    if (bounds.length > 2 || bounds.some((b) => b === undefined)) return undefined;
    const [from, to] = bounds.length === 2 ? (bounds as [number, number]) : step ? [bounds[0]!, field.max] : [bounds[0]!, bounds[0]!];
    if (from > to) return undefined;
    total += Math.floor((to - from) / by) + 1;
  }
  return Math.min(total, field.max - field.min + 1);
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

function parseAt(body: string): { runsPerMonth: number } | { problem: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) return { problem: 'is not at(yyyy-mm-ddThh:mm:ss)' };
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return { problem: 'names a date or time that does not exist' };
  // A one-time schedule runs drift detection once, then never again.
  return { runsPerMonth: 0 };
}
