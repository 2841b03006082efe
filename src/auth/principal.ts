import type { Role } from './roles.js';

/**
 * The caller a request runs as: a signed-in user (a browser session) or an API key. Every route,
 * every audit row and every four-eyes check sees this one type.
 */
export interface Principal {
  kind: 'user' | 'key';
  /** `usr_…` or `key_…`: what the audit log records as the actor. */
  id: string;
  /** For people to read: the user's name, or the key's. */
  name: string;
  /** A user's roles (several), or the key's one. */
  roles: readonly Role[];
  /**
   * Who does the work, and who four eyes keep apart: the user's id for a user and for a key the user
   * owns (so a second key of one's own is still oneself), the key's name for a system key. Task
   * assignees, queue members, makers and checkers are compared on this.
   */
  worksAs: string;
}
