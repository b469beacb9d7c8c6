import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Missing files with these suffixes answer 404 instead of the page, so a broken asset link fails loudly. */
const ASSET_SUFFIX = /\.(?:js|mjs|css|map|png|svg|ico|json|txt|woff2?)$/i;

/**
 * Strict headers for the analyst UI: only same-origin scripts, styles and API calls, no framing, no referrer.
 * Event content is hostile; the CSP is the second line behind the UI's never-innerHTML rule.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Serves the static analyst UI in `uiDir` (mount it at `/ui`): existing files as they are, every other GET/HEAD
 * path (client routes such as `/ui/events/<auditID>`) the SPA's `index.html`; missing assets answer 404.
 */
export function createUiRouter(uiDir: string): Router {
  const root = resolve(uiDir);
  const indexFile = join(root, 'index.html');
  const router = express.Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  });
  router.use(express.static(root, {
    index: false, dotfiles: 'ignore', fallthrough: true, redirect: false,
    setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
  }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (ASSET_SUFFIX.test(req.path)) {
      res.status(404).type('text/plain').send('not found');
      return undefined;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(indexFile, (error) => {
      if (error instanceof Error && !res.headersSent) next(error);
    });
    return undefined;
  });
  return router;
}
