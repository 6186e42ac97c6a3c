import type { ValidationIssue } from './errors.js';
import { SEED_SOURCE } from './json-body.js';

/**
 * pydantic 2's lax mode, which the Python service's clients rely on (docs/api.md, "Input coercion" has the table):
 * before schema validation, a request body is walked beside its JSON schema and the values pydantic would accept
 * are converted in place:
 *  - number fields: numeric strings in Python float syntax (surrounding whitespace, sign, `_` between digits,
 *    `.5`, exponents, `inf`/`nan`), and booleans as 1/0;
 *  - integer fields: integer strings (`"007"`, `" 3 "`, `"+4"`, `"1_000"`, `"2.0"`), and booleans as 1/0;
 *  - boolean fields: `0`/`1` (also `0.0`/`1.0`) and, in any letter case, the strings `true/false`, `yes/no`,
 *    `on/off`, `t/f`, `y/n`, `1/0`.
 * A string that does not parse stays as it is, so validation fails there, and the pydantic entry for it
 * (`float_parsing`, `int_parsing`, `bool_parsing`) replaces the type error. Strings, enums and nulls are never
 * converted. The original values are kept so that 422 entries echo what the client sent (`input`).
 */

interface Record_ {
  readonly issues: Map<string, ValidationIssue>;
  readonly originals: Map<string, unknown>;
}

const records = new WeakMap<object, Record_>();

interface SchemaLike {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaLike>>;
  readonly items?: SchemaLike;
  readonly exclusiveMinimum?: number;
  readonly minimum?: number;
  readonly exclusiveMaximum?: number;
  readonly maximum?: number;
}

const FLOAT_TEXT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const FLOAT_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;
const INTEGER_TEXT = /^([+-]?)(\d(?:_?\d)*)(?:\.0*)?$/;
const TRUE_TEXT = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_TEXT = new Set(['0', 'off', 'f', 'false', 'n', 'no']);
/** Python's str.strip() whitespace (ASCII and Unicode spaces). */
// eslint-disable-next-line no-control-regex -- Python strips the information separators U+001C..U+001F too
const STRIP = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/g;

function typesOf(schema: SchemaLike): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

function pointerOf(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** pydantic's constraint order for a parsed value that a finite-number check would otherwise refuse. */
function nonFiniteIssue(value: number, schema: SchemaLike, loc: (string | number)[], input: unknown): ValidationIssue {
  const le = schema.maximum,
    lt = schema.exclusiveMaximum,
    ge = schema.minimum,
    gt = schema.exclusiveMinimum;
  if (le !== undefined && !(value <= le))
    return { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${le}`, input, ctx: { le } };
  if (lt !== undefined && !(value < lt))
    return { type: 'less_than', loc, msg: `Input should be less than ${lt}`, input, ctx: { lt } };
  if (ge !== undefined && !(value >= ge))
    return {
      type: 'greater_than_equal',
      loc,
      msg: `Input should be greater than or equal to ${ge}`,
      input,
      ctx: { ge },
    };
  if (gt !== undefined && !(value > gt))
    return { type: 'greater_than', loc, msg: `Input should be greater than ${gt}`, input, ctx: { gt } };
  return { type: 'finite_number', loc, msg: 'Input should be a finite number', input };
}

function parseFloatText(text: string): number | null {
  const t = text.replace(STRIP, '');
  if (FLOAT_SPECIAL.test(t)) return /nan/i.test(t) ? Number.NaN : t.startsWith('-') ? -Infinity : Infinity;
  if (!FLOAT_TEXT.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

function parseIntegerText(text: string): { value: number; digits: string } | null {
  const match = INTEGER_TEXT.exec(text.replace(STRIP, ''));
  if (match === null) return null;
  const digits = match[2]!.replace(/_/g, '');
  return { value: Number(`${match[1]}${digits}`), digits: match[1] === '-' ? `-${digits}` : digits };
}

type Container = Record<string | number, unknown>;

/**
 * A body schema reduced to what the walk acts on, built once per schema object: which fields can need a
 * conversion, and how. Subtrees without a number, integer or boolean field are dropped, so a body is visited only
 * where lax input could be, and a value already of the schema's type costs one typeof.
 */
type Plan =
  | { readonly kind: 'object'; readonly fields: readonly (readonly [string, Plan])[] }
  | { readonly kind: 'array'; readonly items: Plan }
  | { readonly kind: 'integer' | 'number' | 'boolean'; readonly schema: SchemaLike };

const plans = new WeakMap<object, Plan | null>();

/** The plan of `schema`, or null when nothing under it is ever converted. The type checks' order is pydantic's. */
function planOf(schema: SchemaLike): Plan | null {
  const types = typesOf(schema);
  if (types.includes('object') && schema.properties !== undefined) {
    const fields: (readonly [string, Plan])[] = [];
    for (const [name, sub] of Object.entries(schema.properties)) {
      const plan = planOf(sub);
      if (plan !== null) fields.push([name, plan]);
    }
    return fields.length === 0 ? null : { kind: 'object', fields };
  }
  if (types.includes('array') && schema.items !== undefined) {
    const items = planOf(schema.items);
    return items === null ? null : { kind: 'array', items };
  }
  if (types.includes('integer')) return { kind: 'integer', schema };
  if (types.includes('number')) return { kind: 'number', schema };
  if (types.includes('boolean')) return { kind: 'boolean', schema };
  return null;
}

function cachedPlan(schema: object): Plan | null {
  let plan = plans.get(schema);
  if (plan === undefined) {
    plan = planOf(schema as SchemaLike);
    plans.set(schema, plan);
  }
  return plan;
}

/** One walk over one body: `path` is the current location, pushed and popped, copied only when something is recorded. */
interface Walk {
  readonly body: object;
  readonly path: (string | number)[];
  record: Record_ | null;
}

function recordOf(walk: Walk): Record_ {
  if (walk.record === null) walk.record = { issues: new Map(), originals: new Map() };
  return walk.record;
}

function replace(walk: Walk, holder: Container, key: string | number, next: unknown): void {
  recordOf(walk).originals.set(pointerOf(walk.path), holder[key]);
  holder[key] = next;
}

function fail(walk: Walk, issue: ValidationIssue): void {
  recordOf(walk).issues.set(pointerOf(walk.path), issue);
}

function locOf(walk: Walk): (string | number)[] {
  return ['body', ...walk.path];
}

function visit(plan: Plan, holder: Container, key: string | number, walk: Walk): void {
  const value = holder[key];
  switch (plan.kind) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      visitFields(plan.fields, value as Container, walk);
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return;
      const path = walk.path;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(plan.items, value as unknown as Container, i, walk);
        path.pop();
      }
      return;
    }
    case 'integer': {
      if (typeof value === 'boolean') replace(walk, holder, key, value ? 1 : 0);
      else if (typeof value === 'string') {
        const parsed = parseIntegerText(value);
        if (parsed === null) {
          fail(walk, {
            type: 'int_parsing',
            loc: locOf(walk),
            msg: 'Input should be a valid integer, unable to parse string as an integer',
            input: value,
          });
          return;
        }
        replace(walk, holder, key, parsed.value);
        // A top-level seed keeps its exact digits (a seed above 2^53 must not be rounded into another seed).
        const body = walk.body;
        const path = walk.path;
        if (path.length === 1 && path[0] === 'seed' && holder === body && !Object.hasOwn(body, SEED_SOURCE)) {
          Object.defineProperty(body, SEED_SOURCE, { value: parsed.digits, enumerable: false });
        }
      }
      return;
    }
    case 'number': {
      if (typeof value === 'boolean') replace(walk, holder, key, value ? 1 : 0);
      else if (typeof value === 'string') {
        const parsed = parseFloatText(value);
        if (parsed === null)
          fail(walk, {
            type: 'float_parsing',
            loc: locOf(walk),
            msg: 'Input should be a valid number, unable to parse string as a number',
            input: value,
          });
        else if (!Number.isFinite(parsed)) fail(walk, nonFiniteIssue(parsed, plan.schema, locOf(walk), value));
        else replace(walk, holder, key, parsed);
      }
      return;
    }
    case 'boolean': {
      if (typeof value === 'number') {
        if (value === 0 || value === 1) replace(walk, holder, key, value === 1);
        else if (Number.isInteger(value))
          fail(walk, {
            type: 'bool_parsing',
            loc: locOf(walk),
            msg: 'Input should be a valid boolean, unable to interpret input',
            input: value,
          });
      } else if (typeof value === 'string') {
        const lower = value.toLowerCase();
        if (TRUE_TEXT.has(lower)) replace(walk, holder, key, true);
        else if (FALSE_TEXT.has(lower)) replace(walk, holder, key, false);
        else
          fail(walk, {
            type: 'bool_parsing',
            loc: locOf(walk),
            msg: 'Input should be a valid boolean, unable to interpret input',
            input: value,
          });
      }
    }
  }
}

function visitFields(fields: readonly (readonly [string, Plan])[], value: Container, walk: Walk): void {
  const path = walk.path;
  for (let f = 0; f < fields.length; f++) {
    const [name, sub] = fields[f]!;
    if (!Object.hasOwn(value, name)) continue;
    path.push(name);
    visit(sub, value, name, walk);
    path.pop();
  }
}

/** Converts, in place, what pydantic's lax mode would accept in `body` for `schema` (a JSON schema object). */
export function coerceLax(schema: unknown, body: unknown): void {
  if (typeof body !== 'object' || body === null || typeof schema !== 'object' || schema === null) return;
  const plan = cachedPlan(schema);
  if (plan === null) return;
  const walk: Walk = { body, path: [], record: null };
  if (plan.kind === 'object' && !Array.isArray(body)) visitFields(plan.fields, body as Container, walk);
  else visit(plan, { body } as Container, 'body', walk);
  if (walk.record !== null) records.set(body, walk.record);
}

/** The pydantic entry for a value at `instancePath` (a JSON pointer) that did not parse, if any. */
export function coercionIssueAt(body: unknown, instancePath: string): ValidationIssue | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  return records.get(body)?.issues.get(instancePath);
}

/** What the client sent at `instancePath` before coercion; `found` false when nothing was converted there. */
export function originalAt(body: unknown, instancePath: string): { found: boolean; value: unknown } {
  if (typeof body !== 'object' || body === null) return { found: false, value: undefined };
  const originals = records.get(body)?.originals;
  if (originals === undefined || !originals.has(instancePath)) return { found: false, value: undefined };
  return { found: true, value: originals.get(instancePath) };
}
