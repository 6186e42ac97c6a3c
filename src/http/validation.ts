import type { ValidationIssue } from './errors.js';
import { SEED_SOURCE, exactSeedFromText } from './json-body.js';
import { coercionIssueAt, originalAt } from './lax-coercion.js';

/**
 * Schema validation settings and the translation of Ajv's errors into FastAPI's 422 entries
 * (`{type, loc, msg, input, ctx}`, pydantic v2 wording), so clients written against the Python service read them
 * unchanged. Lax coercion (pydantic's) happens before validation, in lax-coercion.ts; Ajv itself never coerces.
 */

/** Keyword: the string, upper-cased, must match this pattern (API-V1: symbols are upper-cased, then checked). */
export const UPPERCASE_PATTERN = 'x-uppercase-pattern';
/** Keyword: a seed is checked against its exact source text, not the rounded double. */
export const EXACT_SEED = 'x-exact-seed';

export const SEED_MAX_TEXT = '9223372036854775807';
/** 2^63 - 1 as JSON writes it in `ctx` (the double nearest to it, as Python's float). */
const SEED_MAX = Number(SEED_MAX_TEXT);

/** Ajv options: no coercion of its own (lax-coercion.ts does pydantic's), nothing stripped, every problem reported, NaN/Infinity refused. */
export const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strictNumbers: true,
  allowUnionTypes: true,
} as const;

interface AjvValidateFunction {
  (
    schema: unknown,
    data: unknown,
    parentSchema?: unknown,
    dataCxt?: { rootData: unknown; instancePath: string },
  ): boolean;
  errors?: { keyword: string; message: string; params: Record<string, unknown> }[];
}

interface AjvLike {
  addKeyword(definition: {
    keyword: string;
    type?: string;
    schemaType?: string;
    errors?: boolean;
    validate: AjvValidateFunction;
  }): unknown;
}

/** Adds the project's two keywords to the Ajv instance Fastify builds (passed as `ajv.plugins`). */
export function addOpeKeywords(ajv: AjvLike): AjvLike {
  const compiled = new Map<string, RegExp>();
  const upper: AjvValidateFunction = function validateUppercasePattern(pattern, data) {
    const source = pattern as string;
    let regex = compiled.get(source);
    if (regex === undefined) compiled.set(source, (regex = new RegExp(source, 'u')));
    if (regex.test((data as string).toUpperCase())) return true;
    upper.errors = [
      {
        keyword: UPPERCASE_PATTERN,
        message: `must match pattern "${pattern as string}" once upper-cased`,
        params: { pattern },
      },
    ];
    return false;
  };
  ajv.addKeyword({ keyword: UPPERCASE_PATTERN, type: 'string', schemaType: 'string', errors: true, validate: upper });

  const seed: AjvValidateFunction = function validateExactSeed(_schema, data, _parent, cxt) {
    const value = data as number;
    // Fractions and negatives are reported by Ajv's own integer/minimum checks. This keyword owns the upper
    // bound, which a double cannot express (2^63-1 rounds to 2^63), and fractions lost to rounding above 2^53.
    if (!Number.isInteger(value) || value < 0) return true;
    const root = cxt?.rootData;
    const source =
      typeof root === 'object' && root !== null ? (root as { [SEED_SOURCE]?: string })[SEED_SOURCE] : undefined;
    const exact = cxt?.instancePath === '/seed' && source !== undefined;
    if (exact ? exactSeedFromText(source) !== null : Number.isSafeInteger(value)) return true;
    seed.errors = [{ keyword: EXACT_SEED, message: `must be an integer from 0 to ${SEED_MAX_TEXT}`, params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: EXACT_SEED, type: 'number', errors: true, validate: seed });
  return ajv;
}

/** The subset of an Ajv ErrorObject the mapping reads. */
export interface AjvErrorLike {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

function pointerToLoc(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

function valueAt(root: unknown, loc: readonly (string | number)[]): unknown {
  let current = root;
  for (const key of loc) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

const TYPE_MESSAGES: Record<string, [type: string, msg: string]> = {
  number: ['float_type', 'Input should be a valid number'],
  integer: ['int_type', 'Input should be a valid integer'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  string: ['string_type', 'Input should be a valid string'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
  array: ['list_type', 'Input should be a valid list'],
  null: ['none_required', 'Input should be None'],
};

function typeIssue(expected: string, value: unknown): [string, string] {
  const first = expected.split(',')[0]!;
  if (first === 'integer' && typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
    return ['int_from_float', 'Input should be a valid integer, got a number with a fractional part'];
  }
  if (first === 'number' && typeof value === 'number' && !Number.isFinite(value)) {
    return ['finite_number', 'Input should be a finite number'];
  }
  return TYPE_MESSAGES[first] ?? ['type_error', `Input should be of type ${expected}`];
}

/** pydantic's `ctx` for a constraint keyword. */
function contextFor(error: AjvErrorLike): Record<string, unknown> | undefined {
  const p = error.params;
  switch (error.keyword) {
    case 'exclusiveMinimum':
      return { gt: p.limit };
    case 'minimum':
      return { ge: p.limit };
    case 'exclusiveMaximum':
      return { lt: p.limit };
    case 'maximum':
      return { le: p.limit };
    case 'minLength':
      return { min_length: p.limit };
    case 'maxLength':
      return { max_length: p.limit };
    case 'minItems':
      return { min_length: p.limit };
    case 'maxItems':
      return { max_length: p.limit };
    case 'enum':
      return { expected: quoteList(p.allowedValues as unknown[]) };
    case 'pattern':
      return { pattern: p.pattern };
    case UPPERCASE_PATTERN:
      return { error: {} };
    case EXACT_SEED:
      return { le: SEED_MAX };
    default:
      return undefined;
  }
}

function issueFor(error: AjvErrorLike, body: unknown): ValidationIssue {
  const base = bareIssueFor(error, body);
  // `input`: what the client sent there (before lax coercion); for a missing field, the object that lacks it.
  const inputPath = error.keyword === 'required' ? pointerToLoc(error.instancePath) : base.loc.slice(1);
  const original = originalAt(body, error.instancePath);
  const input = original.found && error.keyword !== 'required' ? original.value : valueAt(body, inputPath);
  const ctx = contextFor(error);
  return {
    ...base,
    ...(input === undefined || !echoable(input) ? {} : { input }),
    ...(ctx === undefined ? {} : { ctx }),
  };
}

/** Nesting beyond which `input` is not echoed: the serializer recurses, and a hostile body can nest 100,000 deep. */
const MAX_ECHO_DEPTH = 32;

/** Whether `value` nests at most MAX_ECHO_DEPTH levels (checked without recursion). */
function echoable(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_ECHO_DEPTH) return false;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

function bareIssueFor(error: AjvErrorLike, body: unknown): ValidationIssue {
  const path = pointerToLoc(error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return { loc: ['body', ...path, String(p.missingProperty)], msg: 'Field required', type: 'missing' };
    case 'type': {
      const [type, msg] = typeIssue(String(p.type), valueAt(body, path));
      return { loc: ['body', ...path], msg, type };
    }
    case 'exclusiveMinimum':
      return { loc: ['body', ...path], msg: `Input should be greater than ${String(p.limit)}`, type: 'greater_than' };
    case 'minimum':
      return {
        loc: ['body', ...path],
        msg: `Input should be greater than or equal to ${String(p.limit)}`,
        type: 'greater_than_equal',
      };
    case 'exclusiveMaximum':
      return { loc: ['body', ...path], msg: `Input should be less than ${String(p.limit)}`, type: 'less_than' };
    case 'maximum':
      return {
        loc: ['body', ...path],
        msg: `Input should be less than or equal to ${String(p.limit)}`,
        type: 'less_than_equal',
      };
    case 'minLength': {
      const limit = Number(p.limit);
      return {
        loc: ['body', ...path],
        msg: `String should have at least ${limit} character${limit === 1 ? '' : 's'}`,
        type: 'string_too_short',
      };
    }
    case 'maxLength': {
      const limit = Number(p.limit);
      return {
        loc: ['body', ...path],
        msg: `String should have at most ${limit} character${limit === 1 ? '' : 's'}`,
        type: 'string_too_long',
      };
    }
    case 'pattern':
      return {
        loc: ['body', ...path],
        msg: `String should match pattern '${String(p.pattern)}'`,
        type: 'string_pattern_mismatch',
      };
    case UPPERCASE_PATTERN:
      // The Python service checked symbols in a validator of its own: pydantic reports those as value_error.
      return {
        loc: ['body', ...path],
        msg: 'Value error, symbol must be 1-20 uppercase alphanumerics',
        type: 'value_error',
      };
    case 'enum':
      return {
        loc: ['body', ...path],
        msg: `Input should be ${quoteList(p.allowedValues as unknown[])}`,
        type: 'enum',
      };
    case 'const':
      return { loc: ['body', ...path], msg: `Input should be ${quoteList([p.allowedValue])}`, type: 'literal_error' };
    case 'minItems':
      return { loc: ['body', ...path], msg: `List should have at least ${String(p.limit)} items`, type: 'too_short' };
    case 'maxItems':
      return { loc: ['body', ...path], msg: `List should have at most ${String(p.limit)} items`, type: 'too_long' };
    case EXACT_SEED:
      return {
        loc: ['body', ...path],
        msg: `Input should be less than or equal to ${SEED_MAX_TEXT}`,
        type: 'less_than_equal',
      };
    default:
      return { loc: ['body', ...path], msg: error.message ?? 'Invalid value', type: error.keyword };
  }
}

/**
 * One entry per offending location, in schema order (the first failing constraint, as pydantic reports). A
 * missing body is reported once as `["body"]` "Field required", as FastAPI does, instead of as a type error.
 */
export function toValidationIssues(errors: readonly AjvErrorLike[], body: unknown): ValidationIssue[] {
  if (body === undefined || body === null)
    return [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const issue = coercionIssueAt(body, error.instancePath) ?? issueFor(error, body);
    // pydantic stops at a field's first failing constraint: one entry per location.
    const key = JSON.stringify(issue.loc);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
