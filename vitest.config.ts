import { defineConfig } from "vitest/config"

/**
 * One vitest run over every workspace. Workspace packages resolve to their TypeScript
 * sources through the `source` export condition, so tests never depend on a stale `dist/`.
 */
export default defineConfig({
  resolve: { conditions: ["source", "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["source", "import", "module", "node", "default"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
})
