/**
 * The response headers that keep a browser from turning the drive's answers against its users:
 * no framing (clickjacking), no MIME sniffing (a JSON or text answer run as HTML), no Referer
 * (share links in the path stay with the page) and a Content-Security-Policy. `policy` is the
 * page's own directives; framing is refused on every answer.
 */
export function securityHeaders(policy: string): Record<string, string> {
  return {
    "content-security-policy": `${policy}; frame-ancestors 'none'`,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

/** An API answer is data: as a document it may load and run nothing. */
export const apiSecurityHeaders = securityHeaders("default-src 'none'; base-uri 'none'; form-action 'none'");
