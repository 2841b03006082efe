import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../auth/roles.js';
import {
  createUser,
  disableUser,
  EMAIL,
  resetMfa,
  getUser,
  listUsers,
  LOCALES,
  resetPassword,
  setRoles,
  type User,
  type UserWithOneTimePassword,
} from '../../auth/users.js';
import { changeApprovalRequired } from '../../changes/change-requests.js';
import { requirePermission } from '../middleware/auth.js';
import { proposeAs, userRoleChanges } from './changes.js';
import type { App, RouteModule } from '../context.js';
import { commonErrors, json, notFoundError, pageFrom, pageOf, pageQuery } from '../schemas.js';

// The people who sign in, managed by an admin. Like API keys, creation and reset answer with a
// one-time password shown only in that response (so no Idempotency-Key: a replay would have to store it).

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: 'usr_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    email: z.string(),
    name: z.string(),
    locale: z.enum(LOCALES),
    timeZone: z.string(),
    status: z.enum(['active', 'disabled']),
    roles: z.array(z.enum(ROLES)),
    mustChangePassword: z.boolean(),
    createdAt: z.string().datetime(),
    createdBy: z.string(),
  })
  .openapi('User');

const UserWithPasswordSchema = UserSchema.extend({
  oneTimePassword: z
    .string()
    .openapi({ description: 'Shown only in this response; the person replaces it at first sign-in.' }),
}).openapi('UserWithOneTimePassword');

const CreatedUserSchema = UserWithPasswordSchema.extend({
  pendingChange: z.string().nullable().openapi({
    description:
      'Under four eyes (fourEyesChanges), the change request (chg_…) proposing the roles: the user has none until a second person approves it',
  }),
}).openapi('CreatedUser');

const CreateUserSchema = z
  .object({
    email: z.string().max(254),
    name: z.string().max(200),
    roles: z.array(z.string().max(50)).min(1).max(20),
    locale: z.string().max(10).optional(),
    timeZone: z.string().max(100).optional(),
  })
  .strict()
  .openapi('CreateUser');

const userParam = z.object({
  user: z.string().min(1).max(254).openapi({ description: 'id (usr_…) or email' }),
});

const manage = requirePermission('users:manage');
const tags = ['users'];

const createDef = createRoute({
  method: 'post',
  path: '/users',
  tags,
  summary: 'Create a user; the one-time password is shown once',
  middleware: [manage] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateUserSchema } } } },
  responses: { 201: json(CreatedUserSchema, 'The new user and their one-time password'), ...commonErrors },
});

/** The users list's cursor: the email its previous page ended on (users are listed by email). */
const EmailCursor = z.string().max(254).regex(EMAIL, 'must be the `next` of a previous page (an email)').optional();

const listDef = createRoute({
  method: 'get',
  path: '/users',
  tags,
  summary: 'List users and their roles (never passwords), by email, with keyset paging',
  middleware: [manage] as const,
  request: {
    query: z.object({
      search: z.string().trim().max(200).optional().openapi({ description: 'Part of the name or email, any case' }),
      ...pageQuery({ limit: 100, max: 1000, cursor: EmailCursor }),
    }),
  },
  responses: { 200: json(pageOf(UserSchema), 'A page of users'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/users/{user}',
  tags,
  summary: 'One user by id or email',
  middleware: [manage] as const,
  request: { params: userParam },
  responses: { 200: json(UserSchema, 'The user'), ...commonErrors, ...notFoundError },
});

/** An admin's action on one user, with an optional reason; answers the user. */
const userActionDef = (action: string, summary: string) =>
  createRoute({
    method: 'post',
    path: `/users/{user}/${action}`,
    tags,
    summary,
    middleware: [manage] as const,
    request: {
      params: userParam,
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ reason: z.string().max(500).optional() }).strict() } },
      },
    },
    responses: { 200: json(UserSchema, 'The user'), ...commonErrors, ...notFoundError },
  });

const disableDef = userActionDef('disable', 'Disable a user: they can no longer sign in; their sessions and keys stop');
const resetMfaDef = userActionDef(
  'reset-mfa',
  'Remove a user’s second factor (a lost phone): they enroll again at their next sign-in; their sessions end',
);

const resetDef = createRoute({
  method: 'post',
  path: '/users/{user}/reset-password',
  tags,
  summary: 'Give a user a new one-time password (shown once); the old one stops working',
  middleware: [manage] as const,
  request: { params: userParam },
  responses: {
    200: json(UserWithPasswordSchema, 'The user and their one-time password'),
    ...commonErrors,
    ...notFoundError,
  },
});

const rolesDef = createRoute({
  method: 'put',
  path: '/users/{user}/roles',
  tags,
  summary: "Replace a user's roles",
  middleware: [manage] as const,
  request: {
    params: userParam,
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ roles: z.array(z.string().max(50)).min(1).max(20) }).strict() },
      },
    },
  },
  responses: { 200: json(UserSchema, 'The user with their new roles'), ...commonErrors, ...notFoundError },
});

export const present = (user: User) => ({ ...user, createdAt: user.createdAt.toISOString() });
const presentWithPassword = (user: UserWithOneTimePassword) => ({
  ...present(user),
  oneTimePassword: user.oneTimePassword,
});

export const userRoutes: RouteModule = {
  register(app: App) {
    app.openapi(createDef, async (c) => {
      const input = c.req.valid('json');
      // Under four eyes the user is created without roles, and the roles are proposed for a second
      // person to approve: otherwise one admin could make a second admin (themselves) alone.
      const fourEyes = c.var.fourEyesChanges;
      const created = await createUser(
        c.var.database,
        {
          ...input,
          actor: c.var.principal.id,
          requestId: c.var.requestId,
          fieldPrefix: 'body.',
          grantRoles: !fourEyes,
        },
        c.var.clock,
      );
      const pending = fourEyes
        ? await proposeAs(c, userRoleChanges, {
            kind: 'user_roles',
            target: created.id,
            payload: { roles: input.roles },
            reason: 'roles of a new user',
          })
        : null;
      return c.json({ ...presentWithPassword(created), pendingChange: pending?.id ?? null }, 201);
    });

    app.openapi(listDef, async (c) => {
      const query = c.req.valid('query');
      const users = await listUsers(c.var.database.db, query);
      return c.json(
        pageFrom(users.map(present), query.limit, (last) => last.email),
        200,
      );
    });

    app.openapi(getDef, async (c) => c.json(present(await getUser(c.var.database.db, c.req.valid('param').user)), 200));

    for (const [def, act] of [
      [disableDef, disableUser],
      [resetMfaDef, resetMfa],
    ] as const) {
      app.openapi(def, async (c) => {
        const body = c.req.valid('json') as { reason?: string } | undefined;
        const user = await act(
          c.var.database,
          {
            user: c.req.valid('param').user,
            actor: c.var.principal.id,
            reason: body?.reason,
            requestId: c.var.requestId,
          },
          c.var.clock,
        );
        return c.json(present(user), 200);
      });
    }

    app.openapi(resetDef, async (c) => {
      const user = await resetPassword(
        c.var.database,
        { user: c.req.valid('param').user, actor: c.var.principal.id, requestId: c.var.requestId },
        c.var.clock,
      );
      return c.json(presentWithPassword(user), 200);
    });

    app.openapi(rolesDef, async (c) => {
      if (c.var.fourEyesChanges) throw changeApprovalRequired('user_roles', 'POST /changes/user-roles/{user}');
      const user = await setRoles(
        c.var.database,
        {
          user: c.req.valid('param').user,
          roles: c.req.valid('json').roles,
          actor: c.var.principal.id,
          requestId: c.var.requestId,
          fieldPrefix: 'body.',
        },
        c.var.clock,
      );
      return c.json(present(user), 200);
    });
  },
};
