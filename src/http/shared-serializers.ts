/**
 * Response serializers shared by every app built in this process. Fastify compiles one fast-json-stringify
 * serializer per route and status when an app starts, about 0.4 s of CPU for OPE's routes; a process that builds
 * many apps (the HTTP tests build dozens, each with its own configuration) would compile the same code again each
 * time. A service process builds one app, for which this changes nothing.
 *
 * A serializer is reused only for the same input, compared by content: the route's response schema, the schemas
 * it can reference (the app's shared schemas, less those Fastify's default compiler has set aside so far, below)
 * and the serializer options, each as JSON. Anything JSON cannot stand for exactly (undefined, a function, a
 * non-finite number, an object that is not a plain one, such as a RegExp or a Date) makes the input uncacheable,
 * and it is compiled as usual. A compile is a pure function of those inputs, so a reused serializer is the one the
 * compile would have produced.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { LRUCache } from 'lru-cache';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

/** Distinct inputs kept: OPE's routes under a few configurations need a few hundred. */
const MAX_SERIALIZERS = 2000;

const compiled = new LRUCache<string, Serializer>({ max: MAX_SERIALIZERS });

/** The value as JSON, or undefined when JSON cannot stand for it exactly (see above). */
export function exactJson(value: unknown): string | undefined {
  let exact = true;
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
    const original = this[key];
    const kind = typeof original;
    if (
      kind === 'undefined' ||
      kind === 'function' ||
      kind === 'symbol' ||
      kind === 'bigint' ||
      (kind === 'number' && !Number.isFinite(original))
    ) {
      exact = false;
      return null;
    }
    if (kind === 'object' && original !== null && !Array.isArray(original)) {
      const prototype: unknown = Object.getPrototypeOf(original);
      if (prototype !== Object.prototype && prototype !== null) {
        exact = false;
        return null;
      }
    }
    return replaced;
  });
  return exact ? text : undefined;
}

/**
 * Fastify's serializer factory (schemaController.compilersFactory.buildSerializer) with Fastify's default compiler
 * behind a process-wide cache. The default compiler leaves a route schema's own `$id` out of the schemas it can
 * reference, and keeps it out for the routes compiled after it in the same context: the key follows that too.
 */
export function sharedSerializerFactory(): SerializerFactory {
  const buildDefault = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = buildDefault(externalSchemas, options);
    const external = (externalSchemas ?? {}) as Record<string, unknown>;
    // Absent and null are told apart: [present, value] for each.
    const base = exactJson([
      [externalSchemas !== undefined, externalSchemas ?? null],
      [options !== undefined, options ?? null],
    ]);
    const setAside = new Set<string>();
    return (route) => {
      const schema = route.schema as { $id?: unknown } | undefined;
      const id = schema?.$id;
      if (typeof id === 'string' && external[id] !== undefined) setAside.add(id);
      const own = exactJson(schema);
      if (base === undefined || own === undefined) return compile(route);
      const key = `${base}\n${JSON.stringify([...setAside].sort())}\n${own}`;
      let serializer = compiled.get(key);
      if (serializer === undefined) {
        serializer = compile(route);
        compiled.set(key, serializer);
      }
      return serializer;
    };
  };
}
