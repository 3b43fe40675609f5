// Every page of the dashboard needs a signed-in user: without a session cookie the browser is sent to the sign-in
// page (and back afterwards). The /svc proxy answers 401 itself (an API caller wants JSON, not a redirect), and the
// service checks every call again, with the user's current role: this is the door, not the lock.
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { secureCookies, sessionSecret } from "@/lib/auth-config";

export async function proxy(req: NextRequest) {
  const secret = sessionSecret();
  const session = secret ? await getToken({ req, secret, secureCookie: secureCookies() }) : null;
  if (session?.uid) return NextResponse.next();
  const to = new URL("/signin", req.url);
  const back = `${req.nextUrl.pathname}${req.nextUrl.search}`;
  if (back !== "/") to.searchParams.set("callbackUrl", back);
  return NextResponse.redirect(to);
}

export const config = {
  // Not: the sign-in page and next-auth's endpoints, the /svc proxy (its own 401), Next's assets and the icons.
  matcher: ["/((?!signin|api/auth|svc/|_next/static|_next/image|favicon\\.ico|icon\\.svg).*)"],
};
