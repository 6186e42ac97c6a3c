// The entry piscina's threads load when the worker module is TypeScript (tests and `npm run dev`, under tsx; dist/
// runs worker.js directly): it import()s the module named in workerData (scheduler.ts) and hands on its default
// export. piscina require()s a worker before it falls back to import(); require() of a .ts module under tsx
// transpiles it and everything it imports to CommonJS, in every thread, at about twice the cost of tsx's ESM
// loader. The top-level await below makes this module one that require() refuses before running it, so piscina
// takes the import() path. Plain JavaScript on purpose: it must load without any TypeScript loader.
import { workerData } from 'node:worker_threads';

const { default: handler } = await import(workerData.workerModule);

export default handler;
