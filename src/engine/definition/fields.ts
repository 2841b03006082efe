import type { DocumentPath } from './parse.js';
import { STEP_ID_PATTERN } from './types.js';

/**
 * Names a document path the way a person reads the definition: steps by id rather than by index
 * (`steps.review.cases[1].when`, not `steps.3.cases.1.when`). A step nested in a branch is named by
 * its id alone, since ids are unique across the document. A step without a valid id keeps its index.
 */

type Place = 'document' | 'stepList' | 'step' | 'branchList' | 'branch' | 'other';

/** Where a key leads from a place; only the definition's own structure has places, not templates. */
function enter(place: Place, segment: PropertyKey): Place {
  if (place === 'document' && segment === 'steps') return 'stepList';
  if (place === 'stepList' && typeof segment === 'number') return 'step';
  if (place === 'step' && segment === 'branches') return 'branchList';
  if (place === 'branchList' && typeof segment === 'number') return 'branch';
  if (place === 'branch' && segment === 'steps') return 'stepList';
  return 'other';
}

function child(node: unknown, segment: PropertyKey): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  return (node as Record<PropertyKey, unknown>)[segment];
}

export function fieldName(path: DocumentPath, document: unknown): string {
  let field = '';
  let place: Place = 'document';
  let node = document;
  for (const segment of path) {
    node = child(node, segment);
    const id = (node as { id?: unknown } | undefined)?.id;
    if (place === 'stepList' && typeof id === 'string' && STEP_ID_PATTERN.test(id)) {
      field = `steps.${id}`;
    } else if (typeof segment === 'number') {
      field = `${field}[${segment}]`;
    } else {
      field = field ? `${field}.${String(segment)}` : String(segment);
    }
    place = enter(place, segment);
  }
  return field || 'definition';
}
