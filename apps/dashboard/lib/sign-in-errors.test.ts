import { test } from "node:test";
import assert from "node:assert/strict";
import { signInErrorMessage } from "./sign-in-errors.ts";

test("next-auth's codes become words; the service's own messages pass through", () => {
  assert.equal(signInErrorMessage("CredentialsSignin"), "Wrong user name or password");
  assert.equal(signInErrorMessage("Too many failed sign-ins: try again in 15 min"), "Too many failed sign-ins: try again in 15 min");
});
