// Reached only through proxy.js, which refuses requests without a valid token.
export function GET() {
  return Response.json({ guarded: true })
}
