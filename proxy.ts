import { NextResponse, type NextRequest } from "next/server";

// Coarse and cheap: no cookie at all → straight to login. The real checks (valid session, role)
// happen where the data is read: in each page, action and route handler.
export function proxy(request: NextRequest) {
  if (request.cookies.has("session")) return NextResponse.next();
  const login = new URL("/login", request.url);
  login.searchParams.set("next", request.nextUrl.pathname);
  return NextResponse.redirect(login);
}

export const config = { matcher: ["/account/:path*", "/admin/:path*"] };
