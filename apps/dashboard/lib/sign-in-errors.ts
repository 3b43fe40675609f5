// next-auth reports a failed sign-in as an error code (or our provider's message): the words the sign-in page shows.
const CODES: Record<string, string> = {
  CredentialsSignin: "Wrong user name or password",
  OAuthSignin: "The single sign-on provider could not be reached",
  OAuthCallback: "The single sign-on provider's answer was not accepted",
  OAuthAccountNotLinked: "This identity is linked to another account",
  AccessDenied: "Sign-in refused",
  Configuration: "Sign-in is not configured correctly on the server",
  SessionRequired: "Sign in first",
};

export function signInErrorMessage(code: string): string {
  return CODES[code] ?? code;
}
