/**
 * Reading raw request data coarsely, for `Fingerprint` hints: IP addresses to
 * their network, user agents to their browser family, platforms to a short name.
 */
import { isIPv4, isIPv6 } from "node:net"

/** Platform names kept as hints: lowercased, 1-32 of `a-z 0-9 . _ -` and space. */
const platformPattern = /^[a-z0-9 ._-]{1,32}$/

/** A platform lowercased and trimmed, or `undefined` if it is not a short plain name. */
export const normalizePlatform = (platform: string): string | undefined => {
  const normalized = platform.trim().toLowerCase()
  return platformPattern.test(normalized) ? normalized : undefined
}

const ipv4Octets = (ip: string): ReadonlyArray<number> | undefined =>
  isIPv4(ip) ? ip.split(".").map(Number) : undefined

/** The eight 16-bit groups of an IPv6 address, `::` and a dotted IPv4 tail expanded. */
const ipv6Groups = (ip: string): ReadonlyArray<number> | undefined => {
  if (!isIPv6(ip)) return undefined
  let head = ip
  let tail: Array<number> = []
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip)
  if (dotted !== null) {
    const octets = ipv4Octets(dotted[2]!)
    if (octets === undefined) return undefined
    tail = [octets[0]! * 256 + octets[1]!, octets[2]! * 256 + octets[3]!]
    head = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1)
  }
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16))
  const gap = head.indexOf("::")
  const left = parse(gap === -1 ? head : head.slice(0, gap))
  const right = gap === -1 ? [] : parse(head.slice(gap + 2))
  const zeros = gap === -1 ? 0 : 8 - left.length - right.length - tail.length
  const groups = [...left, ...Array<number>(zeros).fill(0), ...right, ...tail]
  return groups.length === 8 ? groups : undefined
}

const v4Prefix = (octets: ReadonlyArray<number>) => `${octets[0]}.${octets[1]}.${octets[2]}.0/24`

/** An IP address's /24 (IPv4, IPv4-mapped IPv6) or /48 (IPv6); see `Fingerprint.coarseNetwork`. */
export const coarseNetwork = (ip: string): string | undefined => {
  const trimmed = ip.trim()
  const slash = trimmed.indexOf("/")
  const address = (slash === -1 ? trimmed : trimmed.slice(0, slash)).replace(/%.*$/, "")
  const prefix = slash === -1 ? undefined : trimmed.slice(slash + 1)
  const v4 = ipv4Octets(address)
  if (v4 !== undefined) return prefix === undefined || prefix === "24" ? v4Prefix(v4) : undefined
  const v6 = ipv6Groups(address)
  if (v6 === undefined) return undefined
  const mapped = v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff
  if (mapped && prefix === undefined) {
    return v4Prefix([v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff])
  }
  if (prefix !== undefined && prefix !== "48") return undefined
  // RFC 5952 form: the zero groups after the prefix are the longest run, so they take the `::`.
  const kept = v6.slice(0, 3)
  while (kept.length > 0 && kept[kept.length - 1] === 0) kept.pop()
  return `${kept.map((group) => group.toString(16)).join(":")}::/48`
}

/** The browser family of a user-agent string; see `Fingerprint.userAgentFamily`. */
export const userAgentFamily = (userAgent: string): "chrome" | "firefox" | "safari" | "other" =>
  /\b(?:firefox|fxios)\//i.test(userAgent)
    ? "firefox"
    : /\b(?:chrome|chromium|crios|edg|edge|edga|edgios|opr)\//i.test(userAgent)
      ? "chrome"
      : /\bversion\/[\d.]+.*\bsafari\//i.test(userAgent)
        ? "safari"
        : "other"
