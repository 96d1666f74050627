// ESLint: typescript-eslint's recommended rules, React's hooks rules, and the architecture as
// import boundaries (BOUNDARIES below). `npm run lint` runs it with `prettier --check`; `npm test`
// runs `npm run lint`.
//
// The boundaries use ESLint's own `no-restricted-imports`. It matches import strings, not resolved
// files, so `boundaryBlocks` writes one block per folder (and per kind of file in it) whose regexes
// name each forbidden module in every spelling that reaches it from there: `@/lib/db`,
// `../../lib/db`, `../db`. ESLint keeps only the last block's options for a rule, so each block
// carries every boundary that applies to its files. It sees `import`, `export … from` and
// `import type`, not `await import()`.
import { readdirSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const root = dirname(fileURLToPath(import.meta.url));

/** Ignored by ESLint and Prettier alike (.prettierignore lists the same). */
const IGNORED = [
  "node_modules/**",
  ".next/**",
  "generated/**",
  "data/**",
  "test-results/**",
  "playwright-report/**",
  "public/fonts/**",
  "next-env.d.ts",
  "packages/*/dist/**",
];

/** Test code: it may reach the database directly (and the SDK's tests the server's types). */
const TESTS = [
  "**/*.test.ts",
  "**/*.test.tsx",
  "**/test-helpers.ts",
  "packages/*/test/**",
  "**/test-fixtures.ts",
  "**/phase-cases.ts",
  "tests/**",
  "e2e/**",
];

// paths: folders or files of this repository (no extension), forbidden with all they contain.
// packages: npm packages; "x/*" forbids the package's sub-paths, "@scope/*" a whole scope.
// allowOnly: the only paths, packages and node built-ins its files may import.
const DATABASE_PACKAGES = ["@prisma/client", "@prisma/client/*", "@prisma/adapter-*", "better-sqlite3", "pg"];
const BOUNDARIES = [
  {
    files: ["lib/protocol/**"],
    message:
      "lib/protocol is pure (no database, no HTTP, no React, nothing else of the app): it imports only lib/protocol, node built-ins and its own packages",
    allowOnly: {
      paths: ["lib/protocol"],
      packages: ["zod", "jose", "@biscuit-auth/biscuit-wasm", "@scure/base", "canonicalize", "vitest"],
    },
  },
  {
    files: ["components/**", "app/**/page.tsx", "app/**/layout.tsx", "lib/ui/**"],
    message: "pages, layouts and components never reach the database: call a data function that returns plain types",
    forbid: { paths: ["lib/db", "generated"], packages: ["@prisma/*", "better-sqlite3", "pg"] },
  },
  {
    files: ["**"],
    except: ["lib/db/**", "scripts/**", "prisma/**/*.config.ts", ...TESTS],
    message: "only lib/db talks to the database drivers and the generated Prisma clients",
    forbid: { paths: ["generated"], packages: DATABASE_PACKAGES },
  },
  {
    files: ["lib/sdk/**", "packages/sdk/**"],
    except: TESTS,
    message: "the producer SDK runs in other people's processes: it never imports server code (lib/protocol is fine)",
    forbid: {
      paths: ["lib/db", "lib/ingest", "lib/chains", "lib/auth", "lib/reports"],
      packages: ["next", "next/*", "@prisma/*", "better-sqlite3", "pg"],
    },
  },
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const glob = (pattern) =>
  new RegExp(
    "^" +
      pattern
        .split(/(\*\*\/|\*\*|\*)/)
        .map((part) => (part === "**/" ? "(?:.*/)?" : part === "**" ? ".*" : part === "*" ? "[^/]*" : escape(part)))
        .join("") +
      "$",
  );
const matches = (patterns, file) => patterns.some((p) => glob(p).test(file));

/** Every spelling of a repository path from files in `dir`: the `@/` alias and the relative path. */
function pathSpellings(dir, target) {
  let rel = relative(dir, target).split("\\").join("/");
  if (!rel.startsWith(".")) rel = rel === "" ? "." : "./" + rel;
  return [`@/${target}`, rel];
}

/** A regex for an import string naming `spelling` or anything under it (with or without extension). */
const underPath = (spelling) => `^${escape(spelling)}(?:\\.[cm]?[jt]sx?)?(?:/.*)?$`;
const packageRegex = (p) => "^" + p.split("*").map(escape).join("[^/]+") + "$";

/** no-restricted-imports patterns for the files of `dir` that the given boundaries govern. */
function patternsFor(dir, boundaries) {
  const patterns = [];
  for (const b of boundaries) {
    if (b.forbid) {
      const regexes = [...b.forbid.paths.flatMap((p) => pathSpellings(dir, p).map(underPath)), ...b.forbid.packages.map(packageRegex)];
      patterns.push({ regex: regexes.join("|"), caseSensitive: true, message: b.message });
    } else {
      // Anything not allowed: relative paths that leave the allowed folders (spelled from `dir`),
      // and every other bare or aliased module.
      // How far below its allowed folder `dir` is: `../` may climb that many levels and no more.
      const home = b.allowOnly.paths.find((p) => dir === p || dir.startsWith(p + "/"));
      const depth = home === undefined ? 0 : relative(home, dir).split("/").filter(Boolean).length;
      const allowed = [
        ...b.allowOnly.paths.map((p) => underPath(`@/${p}`)),
        ...b.allowOnly.packages.map((p) => `^${escape(p)}(?:/.*)?$`),
        "^node:",
        `^(?:${builtinModules
          .filter((m) => !m.startsWith("_"))
          .map(escape)
          .join("|")})(?:/.*)?$`,
        home !== undefined && depth > 0 ? `^(?:\\./|(?:\\.\\./){1,${depth}}(?!\\.\\./))` : home !== undefined ? "^\\./" : "^(?!)",
      ];
      patterns.push({ regex: `^(?!(?:${allowed.join("|")})).*`, caseSensitive: true, message: b.message });
    }
  }
  return patterns;
}

const SOURCE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;
const ignoredDir = (rel) => rel === ".git" || matches(IGNORED, rel + "/x");

/** The boundaries that govern a file (its path from the root), as a key: their indexes. */
const keys = new Map();
function boundaryKey(path) {
  if (!keys.has(path)) keys.set(path, BOUNDARIES.flatMap((b, i) => (matches(b.files, path) && !matches(b.except ?? [], path) ? [i] : [])).join(","));
  return keys.get(path);
}

/** Names standing for every kind of file the boundaries tell apart: x.ts, page.tsx, x.test.ts, … */
const KINDS = [
  ...new Set([
    "x.ts",
    "x.tsx",
    "x.mjs",
    ...BOUNDARIES.flatMap((b) => [...b.files, ...(b.except ?? [])]).map((p) => p.split("/").at(-1).replaceAll("*", "x")),
  ]),
].filter((name) => SOURCE.test(name));

/**
 * One block per folder and kind of file, carrying every boundary that governs those files as one
 * option set. Its `files` matcher is a function, so a file added later (or linted from an editor
 * before it is saved) gets its folder's rules.
 */
function boundaryBlocks() {
  const blocks = [];
  const walk = (dir) => {
    const here = new Set(KINDS.map((name) => boundaryKey(posix.join(dir, name))));
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, e.name);
      if (e.isDirectory() && !ignoredDir(path)) walk(path);
      else if (e.isFile() && SOURCE.test(e.name)) here.add(boundaryKey(path));
    }
    for (const key of here) {
      if (key === "") continue;
      const governing = key.split(",").map((i) => BOUNDARIES[Number(i)]);
      const inThisKind = (file) => {
        const path = relative(root, file).split(sep).join("/");
        return SOURCE.test(path) && posix.dirname(path) === dir && boundaryKey(path) === key;
      };
      blocks.push({ files: [inThisKind], rules: { "no-restricted-imports": ["error", { patterns: patternsFor(dir, governing) }] } });
    }
  };
  walk(".");
  return blocks;
}

export { BOUNDARIES, boundaryBlocks };

export default tseslint.config(
  { ignores: IGNORED },
  js.configs.recommended,
  // Type-aware: ~35 s on this 2-core machine for the whole tree (the non-type-aware set takes ~9 s).
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { globals: { ...globals.node }, parserOptions: { projectService: true, tsconfigRootDir: root } },
  },
  {
    // Plain JavaScript files (configs, bin/) are not in tsconfig.json's project.
    files: ["**/*.{js,mjs,cjs}"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests read JSON answers, which are `any` by nature; asserting on their fields is the point.
    files: TESTS,
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // An async function as an event handler (onClick, onSubmit) is React's ordinary pattern.
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    rules: { "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }] },
  },
  {
    files: ["components/**/*.tsx", "app/**/*.tsx", "lib/ui/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // React code only: elsewhere `use…` names are not hooks (useFreshDatabase, Playwright's `use`).
    files: ["components/**/*.{ts,tsx}", "app/**/*.{ts,tsx}", "lib/ui/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    rules: {
      // Control characters in regexes are this codebase's job (hostile text: CSV, bidi, headers).
      "no-control-regex": "off",
      // An async function that does not await still honours an async interface (the stores, readers).
      "@typescript-eslint/require-await": "off",
      // `_`-prefixed names are deliberately unused (a destructured field left out, an ignored argument).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
    },
  },
  ...boundaryBlocks(),
);
