// The OpenAPI-driven fuzz suite (src/testing/fuzz/api-fuzz-suite.ts) over every fourth route, from
// route 1: four files, so that each stays well inside the per-file timeout of `npm test` (10 min)
// on a loaded machine as the API grows (two files no longer did, with the payments routes).
// First: the suite's server loads @hono/zod-openapi, which must extend zod before any schema is built.
import { apiFuzzSuite } from '../testing/fuzz/api-fuzz-suite.js';

apiFuzzSuite([0, 4]);
