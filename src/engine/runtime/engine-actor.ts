/** Who the engine itself acts as in the audit log and timeline. */
export const ENGINE_ACTOR = 'system:engine';
