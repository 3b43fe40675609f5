// next-auth's endpoints (sign-in, callback, session, csrf, sign-out) under /api/auth. Options are built per request
// so the environment (shared key, OpenID Connect) is read when the dashboard runs, not when it was built.
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(req, ctx);
}

export { handler as GET, handler as POST };
