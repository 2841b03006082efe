import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout (one object a line), ready for any log shipper. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'finflow' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Never log credentials, whatever a caller passes in.
      redact: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'],
    },
    destination,
  );
}
