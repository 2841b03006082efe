import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { PERMISSIONS, rolesHave } from '../../auth/roles.js';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, type ActiveSession } from '../../auth/sessions.js';
import {
  changeOwnPassword,
  confirmMfaEnrollment,
  signIn,
  signOut,
  startMfaEnrollment,
  verifySecondFactor,
  type Client,
} from '../../auth/sign-in.js';
import { SignInThrottle } from '../../auth/sign-in-throttle.js';
import { getUser, updateProfile } from '../../auth/users.js';
import { AppError, tooManyRequests } from '../../core/errors.js';
import type { App, AppEnv, RouteModule } from '../context.js';
import { clientAddress } from '../client-address.js';
import { commonErrors, conflictError, json, problem, tooManyRequestsError } from '../schemas.js';
import { present, UserSchema } from './users.js';

// Signing in from a browser: the password opens a session (cookie), which may be pending a step —
// the TOTP code, replacing a one-time password, enrolling TOTP — before it can do anything else.
// Every write but the sign-in itself carries the session's CSRF token (X-CSRF-Token).

const tags = ['session'];
const SESSION_PATH = '/session';

const SessionSchema = z
  .object({
    id: z.string().openapi({ example: 'ses_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    user: UserSchema,
    permissions: z.array(z.enum(PERMISSIONS)).openapi({ description: "What the user's roles allow together" }),
    mfaEnrolled: z.boolean(),
    pending: z
      .enum(['password_change', 'mfa', 'mfa_enrollment'])
      .nullable()
      .openapi({ description: 'The step to pass before anything else; null when the session is fully signed in' }),
    csrfToken: z.string().openapi({ description: 'Send in X-CSRF-Token with every write of this session' }),
    expiresAt: z.string().datetime().openapi({ description: 'The absolute end; 30 minutes idle also ends it' }),
  })
  .openapi('Session');

const SignInSchema = z
  .object({ email: z.string().max(254), password: z.string().max(1024) })
  .strict()
  .openapi('SignIn');
const SecondFactorSchema = z
  .object({
    code: z.string().max(10).optional().openapi({ description: 'The 6-digit code of the authenticator app' }),
    recoveryCode: z.string().max(40).optional().openapi({ description: 'One unused recovery code, instead' }),
  })
  .strict()
  .openapi('SecondFactor');
const CodeSchema = z
  .object({ code: z.string().max(10) })
  .strict()
  .openapi('TotpCode');
const PasswordChangeSchema = z
  .object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) })
  .strict()
  .openapi('PasswordChange');

const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});
const signInErrors = {
  ...commonErrors,
  401: problem('Wrong email or password, wrong or replayed code, or the session has ended'),
  403: problem('The account is locked or disabled, the CSRF token is missing, or a sign-in step is pending'),
  ...tooManyRequestsError('Too many failed sign-ins from this address; retry after `Retry-After` seconds'),
} as const;

const signInDef = createRoute({
  method: 'post',
  path: SESSION_PATH,
  tags,
  summary: 'Sign in with email and password; sets the session cookie',
  security: [],
  description:
    'No authentication. 201 with the session (HttpOnly, SameSite=Lax cookie `finflow_session`; Secure over TLS). ' +
    '`pending` names a step still to pass. 401 `sign_in_failed` for a wrong email or password (the same for both); ' +
    '403 `account_locked` after 5 failures in a row (15 minutes), 403 `user_disabled`; 429 after 20 failures from one address in 10 minutes.',
  request: body(SignInSchema),
  responses: { 201: json(SessionSchema, 'Signed in (maybe pending a step)'), ...signInErrors },
});
const getDef = createRoute({
  method: 'get',
  path: SESSION_PATH,
  tags,
  summary: 'The current session: user, roles, permissions, pending step and CSRF token',
  responses: { 200: json(SessionSchema, 'The session'), ...signInErrors },
});
const signOutDef = createRoute({
  method: 'delete',
  path: SESSION_PATH,
  tags,
  summary: 'Sign out this session',
  responses: { 204: { description: 'Signed out; the cookie is cleared' }, ...signInErrors },
});
const everywhereDef = createRoute({
  method: 'post',
  path: `${SESSION_PATH}/sign-out-everywhere`,
  tags,
  summary: 'Sign out every session of the user (this one too); API keys are not affected',
  responses: { 200: json(z.object({ sessionsEnded: z.number().int() }), 'Sessions ended'), ...signInErrors },
});
const mfaDef = createRoute({
  method: 'post',
  path: `${SESSION_PATH}/mfa`,
  tags,
  summary: 'The second factor: a TOTP code (each code once) or a recovery code',
  request: body(SecondFactorSchema),
  responses: { 200: json(SessionSchema, 'Passed'), ...signInErrors, ...conflictError },
});
const enrollDef = createRoute({
  method: 'post',
  path: `${SESSION_PATH}/mfa/enrollment`,
  tags,
  summary: 'Start TOTP enrollment: a new secret as otpauth URI and QR code (SVG)',
  responses: {
    200: json(
      z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }).openapi('TotpEnrollment'),
      'Scan the QR code, then confirm with a code',
    ),
    ...signInErrors,
    ...conflictError,
  },
});
const confirmDef = createRoute({
  method: 'post',
  path: `${SESSION_PATH}/mfa/enrollment/confirm`,
  tags,
  summary: 'Confirm TOTP enrollment with a code; answers ten recovery codes, shown once',
  request: body(CodeSchema),
  responses: {
    200: json(
      z.object({ recoveryCodes: z.array(z.string()), session: SessionSchema }).openapi('TotpEnrolled'),
      'Enrolled',
    ),
    ...signInErrors,
    ...conflictError,
    422: problem('The code does not match the new secret'),
  },
});
const passwordDef = createRoute({
  method: 'post',
  path: `${SESSION_PATH}/password`,
  tags,
  summary: "Change one's own password (needs the current one); ends the user's other sessions",
  request: body(PasswordChangeSchema),
  responses: { 200: json(SessionSchema, 'Changed'), ...signInErrors, ...conflictError },
});

const ProfileSchema = z
  .object({
    name: z.string().max(200).optional(),
    locale: z.string().max(10).optional().openapi({ description: 'en, es or zh-CN' }),
    timeZone: z.string().max(100).optional().openapi({ example: 'Europe/Madrid' }),
  })
  .strict()
  .openapi('ProfileChange');
const profileDef = createRoute({
  method: 'patch',
  path: '/me',
  tags,
  summary: "Change one's own name, language or time zone (a signed-in session)",
  request: body(ProfileSchema),
  responses: { 200: json(UserSchema, 'The user'), ...signInErrors },
});

/** Whether a path is one a session pending a sign-in step may still reach. */
export const isSessionPath = (prefix: string) => (path: string) =>
  path === `${prefix}${SESSION_PATH}` || path.startsWith(`${prefix}${SESSION_PATH}/`);

function clientOf(c: Context<AppEnv>): Client {
  return { address: clientAddress(c), userAgent: c.req.header('user-agent') ?? null, requestId: c.var.requestId };
}

function requireSession(c: Context<AppEnv>): ActiveSession {
  const session = c.var.session;
  if (!session)
    throw new AppError('session_required', 401, 'this route is for a signed-in browser session, not an API key');
  return session;
}

async function sessionView(
  c: Context<AppEnv>,
  session: { id: string; userId: string; csrfToken: string; expiresAt: Date },
  pending: ActiveSession['pending'],
) {
  const user = await getUser(c.var.database.db, session.userId);
  const enrolled = await c.var.database.db
    .selectFrom('users')
    .select('totp_secret')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  return {
    id: session.id,
    user: present(user),
    permissions: PERMISSIONS.filter((p) => rolesHave(user.roles, p)),
    mfaEnrolled: enrolled.totp_secret !== null,
    pending,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

export function sessionRoutes(throttle = new SignInThrottle()): RouteModule {
  return {
    register(app: App) {
      app.openapi(signInDef, async (c) => {
        const client = clientOf(c);
        const address = client.address ?? 'unknown';
        const now = Date.now();
        const wait = throttle.retryAfterSeconds(address, now);
        if (wait > 0) {
          throw tooManyRequests(
            'too_many_sign_ins',
            `too many failed sign-ins from this address: retry after ${wait} s`,
            wait,
          );
        }
        const input = c.req.valid('json');
        let signed;
        try {
          signed = await signIn(c.var.database, input, client, c.var.clock);
        } catch (error) {
          throttle.fail(address, now);
          throw error;
        }
        setCookie(c, SESSION_COOKIE, signed.session.token, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: new URL(c.req.url).protocol === 'https:',
          path: '/',
          maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
        });
        return c.json(await sessionView(c, { ...signed.session, userId: signed.userId }, signed.session.pending), 201);
      });

      app.openapi(getDef, async (c) => {
        const session = requireSession(c);
        return c.json(await sessionView(c, session, session.pending), 200);
      });

      app.openapi(signOutDef, async (c) => {
        await signOut(c.var.database, requireSession(c), false, clientOf(c), c.var.clock);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.body(null, 204);
      });

      app.openapi(everywhereDef, async (c) => {
        const sessionsEnded = await signOut(c.var.database, requireSession(c), true, clientOf(c), c.var.clock);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.json({ sessionsEnded }, 200);
      });

      app.openapi(mfaDef, async (c) => {
        const session = requireSession(c);
        const pending = await verifySecondFactor(
          c.var.database,
          session,
          c.req.valid('json'),
          clientOf(c),
          c.var.clock,
        );
        return c.json(await sessionView(c, session, pending), 200);
      });

      app.openapi(enrollDef, async (c) => {
        const enrollment = await startMfaEnrollment(c.var.database, requireSession(c), clientOf(c), c.var.clock);
        return c.json(enrollment, 200);
      });

      app.openapi(confirmDef, async (c) => {
        const session = requireSession(c);
        const { code } = c.req.valid('json');
        const done = await confirmMfaEnrollment(c.var.database, session, code, clientOf(c), c.var.clock);
        return c.json({ recoveryCodes: done.recoveryCodes, session: await sessionView(c, session, done.pending) }, 200);
      });

      app.openapi(profileDef, async (c) => {
        const session = requireSession(c);
        const user = await updateProfile(
          c.var.database,
          { user: session.userId, ...c.req.valid('json'), actor: session.userId, requestId: c.var.requestId },
          c.var.clock,
        );
        return c.json(present(user), 200);
      });

      app.openapi(passwordDef, async (c) => {
        const session = requireSession(c);
        const pending = await changeOwnPassword(c.var.database, session, c.req.valid('json'), clientOf(c), c.var.clock);
        return c.json(await sessionView(c, session, pending), 200);
      });
    },
  };
}
