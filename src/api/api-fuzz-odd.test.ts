// The OpenAPI-driven fuzz suite (src/testing/fuzz/api-fuzz-suite.ts) over every other route, from the
// second: two files, so that each stays well inside the per-file timeout of `npm test`.
// First: the suite's server loads @hono/zod-openapi, which must extend zod before any schema is built.
import { apiFuzzSuite } from '../testing/fuzz/api-fuzz-suite.js';

apiFuzzSuite([1, 2]);
