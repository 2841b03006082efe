import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../context.js';

/**
 * Headers on every response: no MIME sniffing, no framing (clickjacking), no referrer leaking ids
 * in URLs, a content security policy that allows only finflow's own origin (the web console will be
 * served from it), and `Cache-Control: no-store` on every API answer — they carry API-key tokens,
 * webhook secrets and customers' personal data, none of which a browser or proxy may keep. A route
 * that sets its own Cache-Control (static console assets, later) keeps it.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const secure = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // The console: antd writes its styles at run time, QR codes are data: images, and the
      // decision simulator compiles zen-engine's WebAssembly. No inline or remote script, ever.
      // The decision editor's code editor (Monaco) is bundled, never fetched from a CDN: its web
      // workers are finflow's own files (worker-src falls back to this 'self', no blob: needed) and
      // its icon font is one too, so the console works offline under this policy unchanged.
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
  });
  return async (c, next) => {
    await secure(c, async () => {
      await next();
      if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
    });
  };
}
