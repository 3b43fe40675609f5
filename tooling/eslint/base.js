// The shared ESLint flat config of every workspace (create-t3-turbo's layout: each workspace's eslint.config.js
// spreads these). Deliberately small: TypeScript parsing, no `as unknown as` casts, and `restrictImports`, the
// helper the import boundaries (./boundaries.js) are written with.
import tseslint from "typescript-eslint";

/** Generated code, build output and dependencies are never linted. */
const ignores = {
  ignores: ["**/node_modules/**", "**/dist/**", "**/.next/**", "**/cache/**", "**/generated/**", "**/test-results/**", "**/next-env.d.ts"],
};

export default [
  ignores,
  {
    files: ["**/*.{ts,tsx,mts,js,mjs}"],
    languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" },
    plugins: { "@typescript-eslint": tseslint.plugin },
    // Directives written for rules this small config does not run (e.g. no-control-regex) are not an error.
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          // `x as unknown as T` silences the type checker instead of fixing the type.
          selector: "TSAsExpression > TSAsExpression.expression[typeAnnotation.type='TSUnknownKeyword']",
          message: "No `as unknown as` casts: give the value its real type (a type guard, a typed API, a narrower declaration).",
        },
      ],
    },
  },
];

/**
 * One import boundary: in `files` (but not `except`), none of `forbidden` may be imported. Each entry is
 * { regex, message, allowTypeImports? } (regex on the import path as written). Later configs override earlier
 * ones for the same file, which is how a boundary's exception is written (see ./boundaries.js).
 */
export function restrictImports(name, files, forbidden, except = []) {
  return {
    name: `boundary: ${name}`,
    files,
    ignores: except,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: forbidden.map((f) => ({ regex: f.regex, message: f.message, allowTypeImports: f.allowTypeImports ?? false })) },
      ],
    },
  };
}
