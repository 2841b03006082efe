import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/**
 * What an error may show in a log line. Everything else an error object carries stays out: PGlite
 * puts the statement's parameter values on its errors (`params`, `queryOptions`), and a failed
 * `UPDATE webhook_subscriptions` has the new and the previous signing secret among them; other
 * libraries attach request bodies, configs or responses. A list of what is safe keeps any new field
 * out by default. The SQL text (`query`) stays: finflow's statements hold `$n` placeholders, not
 * values.
 */
const SAFE_ERROR_FIELDS = [
  'type',
  'name',
  'message',
  'stack',
  'code',
  'status',
  'statusCode',
  'field',
  'issues',
  // PostgreSQL's error fields that name where, not what (`detail` can echo a row's values).
  'severity',
  'constraint',
  'table',
  'column',
  'schema',
  'dataType',
  'routine',
  'hint',
  'position',
  'query',
  // System errors (ECONNREFUSED …).
  'errno',
  'syscall',
  'address',
  'port',
] as const;

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string')
  );
}

/** pino's error serializer (type, message and stack with causes), keeping only the safe fields. */
export function serializeError(error: unknown): unknown {
  if (!isErrorLike(error)) return error;
  const full = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const safe: Record<string, unknown> = {};
  for (const key of SAFE_ERROR_FIELDS) {
    if (full[key] !== undefined) safe[key] = full[key];
  }
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) safe.aggregateErrors = errors.map(serializeError);
  return safe;
}

/**
 * Never logged, whatever a caller passes in: credentials, session material, secrets and the SQL
 * parameter values of any object that carries them. pino's redaction matches these paths (one and
 * two levels below the top: `*.x` and `*.*.x`) and writes `[redacted]`.
 */
const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'api_key',
  'secret',
  'secretValue',
  'previousSecret',
  'previous_secret',
  'clientSecret',
  'client_secret',
  'password',
  'passwd',
  'privateKey',
  'private_key',
  'params',
  'parameters',
  'queryOptions',
];

export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.flatMap((key) =>
    /^\w+$/.test(key) ? [key, `*.${key}`, `*.*.${key}`] : [`["${key}"]`, `*["${key}"]`, `*.*["${key}"]`],
  ),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** Structured JSON logs on stdout (one object a line), ready for any log shipper. */
/**
 * `pretty` (or `auto` on a terminal): one coloured, readable line an event, for a person watching
 * `npm start`; `json` (or `auto` when stdout is a file or pipe): pino's JSON lines for log shippers.
 */
export function createLogger(level: string, destination?: DestinationStream, format = 'auto'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!destination && pretty) {
    destination = pinoPretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service',
    });
  }
  return pino(
    {
      level,
      base: { service: 'finflow' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError, cause: serializeError },
      // Never log credentials, whatever a caller passes in.
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
