/**
 * Identifiers and secrets: prefixed random ids, API keys and their hashes.
 *
 * @since 0.1.0
 */
import { createHash, randomBytes } from "node:crypto"

/**
 * The id prefixes, one per kind of object, as the service's examples show them.
 *
 * @since 0.1.0
 * @category models
 */
export type Prefix = "acc" | "usr" | "key" | "gam" | "brd" | "dev" | "scr" | "flg" | "ses"

/**
 * A new id: the prefix and 128 random bits, so ids are never reused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (prefix: Prefix): string => `${prefix}_${randomBytes(16).toString("hex")}`

/**
 * A new API key's plaintext: `ldr_` and 256 random bits (base64url).
 *
 * @since 0.1.0
 * @category secrets
 */
export const apiKey = (): string => `ldr_${randomBytes(32).toString("base64url")}`

/**
 * The only form of an API key the database holds.
 *
 * @since 0.1.0
 * @category secrets
 */
export const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex")

/**
 * What the API shows of a key: its first 8 characters.
 *
 * @since 0.1.0
 * @category secrets
 */
export const prefixOf = (key: string): string => key.slice(0, 8)

/**
 * An opaque random token (nonces, signing secrets).
 *
 * @since 0.1.0
 * @category secrets
 */
export const token = (bytes = 24): string => randomBytes(bytes).toString("base64url")

/**
 * A URL slug of a name: lowercase ASCII words joined by dashes.
 *
 * @since 0.1.0
 * @category slugs
 */
export const slugify = (name: string): string => {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
  return slug === "" ? "item" : slug
}

/**
 * A board short code: 6 characters without look-alikes (no 0/O, 1/I/L).
 *
 * @since 0.1.0
 * @category slugs
 */
export const shortCode = (): string => {
  const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
  const bytes = randomBytes(6)
  let code = ""
  for (const byte of bytes) code += alphabet[byte % alphabet.length]
  return code
}
