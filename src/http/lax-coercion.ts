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

function walk(
  schema: SchemaLike,
  holder: Container,
  key: string | number,
  path: (string | number)[],
  body: object,
  record: Record_,
): void {
  const value = holder[key];
  const types = typesOf(schema);
  const loc = ['body', ...path];
  const replace = (next: unknown): void => {
    record.originals.set(pointerOf(path), value);
    holder[key] = next;
  };
  const fail = (issue: ValidationIssue): void => {
    record.issues.set(pointerOf(path), issue);
  };

  if (types.includes('object') && schema.properties !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (Object.hasOwn(value, name)) walk(sub, value as Container, name, [...path, name], body, record);
    }
    return;
  }
  if (types.includes('array') && schema.items !== undefined) {
    if (!Array.isArray(value)) return;
    for (let i = 0; i < value.length; i++)
      walk(schema.items, value as unknown as Container, i, [...path, i], body, record);
    return;
  }
  if (types.includes('integer')) {
    if (typeof value === 'boolean') replace(value ? 1 : 0);
    else if (typeof value === 'string') {
      const parsed = parseIntegerText(value);
      if (parsed === null) {
        fail({
          type: 'int_parsing',
          loc,
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: value,
        });
        return;
      }
      replace(parsed.value);
      // A top-level seed keeps its exact digits (a seed above 2^53 must not be rounded into another seed).
      if (path.length === 1 && path[0] === 'seed' && holder === body && !Object.hasOwn(body, SEED_SOURCE)) {
        Object.defineProperty(body, SEED_SOURCE, { value: parsed.digits, enumerable: false });
      }
    }
    return;
  }
  if (types.includes('number')) {
    if (typeof value === 'boolean') replace(value ? 1 : 0);
    else if (typeof value === 'string') {
      const parsed = parseFloatText(value);
      if (parsed === null)
        fail({
          type: 'float_parsing',
          loc,
          msg: 'Input should be a valid number, unable to parse string as a number',
          input: value,
        });
      else if (!Number.isFinite(parsed)) fail(nonFiniteIssue(parsed, schema, loc, value));
      else replace(parsed);
    }
    return;
  }
  if (types.includes('boolean')) {
    if (typeof value === 'number') {
      if (value === 0 || value === 1) replace(value === 1);
      else if (Number.isInteger(value))
        fail({
          type: 'bool_parsing',
          loc,
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: value,
        });
    } else if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (TRUE_TEXT.has(lower)) replace(true);
      else if (FALSE_TEXT.has(lower)) replace(false);
      else
        fail({
          type: 'bool_parsing',
          loc,
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: value,
        });
    }
  }
}

/** Converts, in place, what pydantic's lax mode would accept in `body` for `schema` (a JSON schema object). */
export function coerceLax(schema: unknown, body: unknown): void {
  if (typeof body !== 'object' || body === null || typeof schema !== 'object' || schema === null) return;
  const record: Record_ = { issues: new Map(), originals: new Map() };
  const root = { body } as Container;
  const s = schema as SchemaLike;
  if (typesOf(s).includes('object') && s.properties !== undefined && !Array.isArray(body)) {
    for (const [name, sub] of Object.entries(s.properties)) {
      if (Object.hasOwn(body, name)) walk(sub, body as Container, name, [name], body, record);
    }
  } else {
    walk(s, root, 'body', [], body, record);
  }
  if (record.issues.size > 0 || record.originals.size > 0) records.set(body, record);
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
