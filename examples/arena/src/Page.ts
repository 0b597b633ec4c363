/**
 * The browser side: the page at `/` and the Colyseus browser SDK, served by
 * the game server itself from this package and `node_modules` (no CDN).
 *
 * @since 0.1.0
 */
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * @since 0.1.0
 * @category models
 */
export interface Assets {
  readonly index: string
  readonly sdk: string
}

/**
 * Reads the page and the SDK bundle once, at start.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = async (): Promise<Assets> => {
  // `public/` sits next to `src/` and `dist/`, so this works from either.
  const here = dirname(fileURLToPath(import.meta.url))
  const require = createRequire(import.meta.url)
  const sdkDir = dirname(require.resolve("@colyseus/sdk/package.json"))
  const [index, sdk] = await Promise.all([
    readFile(join(here, "..", "public", "index.html"), "utf8"),
    readFile(join(sdkDir, "dist", "colyseus.js"), "utf8"),
  ])
  return { index, sdk }
}

/**
 * @since 0.1.0
 * @category responses
 */
export const html = (body: string): Response =>
  new Response(body, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" } })

/**
 * @since 0.1.0
 * @category responses
 */
export const script = (body: string): Response =>
  new Response(body, {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=3600" },
  })
