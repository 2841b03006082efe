// Who is signed in, what they may do, and the sign-in steps still pending. The server's session
// (GET /session) is the truth: this context only mirrors it, so a reload or a second tab agrees.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { api, onSignedOut, setCsrfToken, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { rememberPermissions } from '../app/early-start';

export type Session = components['schemas']['Session'];
export type Permission = Session['permissions'][number];

interface SessionState {
  session: Session | null;
  loading: boolean;
  /** Replaces the mirrored session after a sign-in step answered with a new one. */
  update: (session: Session | null) => void;
  can: (permission: Permission) => boolean;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);
const SESSION_KEY = ['session'];

async function loadSession(): Promise<Session | null> {
  const { data, response } = await api.GET('/session');
  if (response.status === 401) return null;
  if (!response.ok || !data) throw new Error(`GET /session answered ${response.status}`);
  return data;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: loadSession, staleTime: 60_000, retry: false });
  const session = query.data ?? null;
  setCsrfToken(session?.csrfToken ?? null);

  const update = useCallback(
    (next: Session | null) => {
      setCsrfToken(next?.csrfToken ?? null);
      rememberPermissions(next && next.pending === null ? next.permissions : undefined);
      // Signed out: nothing another person could see stays in memory.
      if (next === null) client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      client.setQueryData(SESSION_KEY, next);
    },
    [client],
  );
  useEffect(() => onSignedOut(() => update(null)), [update]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      loading: query.isPending,
      update,
      can: (permission) => !!session && session.pending === null && session.permissions.includes(permission),
      signOut: async () => {
        await unwrap(api.DELETE('/session'));
        update(null);
      },
    }),
    [session, query.isPending, update],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
