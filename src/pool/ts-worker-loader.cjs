// The entry piscina's threads load when the worker module is TypeScript (tests and `npm run dev`, under tsx; dist/
// runs worker.js directly). piscina require()s a worker before it falls back to import(); require() of a .ts module
// under tsx transpiles it and everything it imports to CommonJS, in every thread, at about twice the cost of tsx's
// ESM loader. This CommonJS module is required at no cost and exports a promise for the default export of the
// module named in workerData (scheduler.ts), which it import()s: piscina awaits an exported promise for the
// handler before it counts the thread ready. Plain JavaScript on purpose: it must load without any TypeScript loader.
'use strict';

const { workerData } = require('node:worker_threads');

module.exports = import(workerData.workerModule).then((module) => module.default);
