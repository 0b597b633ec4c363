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
  readonly index: Uint8Array
  readonly sdk: Uint8Array
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
    readFile(join(here, "..", "public", "index.html")),
    readFile(join(sdkDir, "dist", "colyseus.js")),
  ])
  return { index: new Uint8Array(index), sdk: new Uint8Array(sdk) }
}

/**
 * @since 0.1.0
 * @category responses
 */
export const html = (body: Uint8Array): Response => bytes(body, "text/html; charset=utf-8", "no-cache")

/**
 * @since 0.1.0
 * @category responses
 */
export const script = (body: Uint8Array): Response =>
  bytes(body, "text/javascript; charset=utf-8", "max-age=3600")

// A known length: the browser gets one plain body rather than a chunked stream.
const bytes = (body: Uint8Array, type: string, cache: string): Response =>
  new Response(body, {
    headers: { "content-type": type, "content-length": String(body.byteLength), "cache-control": cache },
  })
