/** The headers the console sets on its answers: helmet's security headers, and no caching. */
import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * helmet's defaults, except that over plain http there is no `upgrade-insecure-requests` and no
 * Strict-Transport-Security (issue 8). The first sends the browser to https:// for the stylesheet
 * and the login form, which nothing answers on a console served over http from any address but
 * localhost; the second would pin the host to https for a year.
 */
export function securityHeaders(options: { overHttps: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: { upgradeInsecureRequests: options.overHttps ? [] : null },
    },
    strictTransportSecurity: options.overHttps,
  });
}

/**
 * Readers' data and CSRF tokens stay out of the browser's cache and any proxy's: on a shared desk
 * PC, the back button after a sign-out must not bring a page back.
 */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  };
}
