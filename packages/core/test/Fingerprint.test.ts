import { createHmac, randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Device, Fingerprint, Session } from "@leadr-toolkit/core"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"

const secret = Redacted.make("test-deployment-secret-0123456789")

const fingerprint = (input: Partial<Fingerprint.FingerprintInput> & { installId: string }) =>
  Effect.runSync(Fingerprint.make({ secret, gameId: "game_1", ...input }))

const failure = (input: Partial<Fingerprint.FingerprintInput>) =>
  Effect.runSync(
    Effect.flip(Fingerprint.make({ secret, gameId: "game_1", installId: "install-1", ...input })),
  )

const printable = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+$/u
/** Install ids as game clients keep them: printable, 1..128 characters, not blank. */
const installId = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
  .filter((id) => id.length <= Fingerprint.MAX_ID_LENGTH && id.trim() !== "" && printable.test(id))
const gameId = fc.stringMatching(/^[a-z0-9_-]{1,40}$/)
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
const isHex64 = (value: string) => /^[0-9a-f]{64}$/.test(value)

describe("Fingerprint.make", () => {
  it("is 64 lowercase hex, a valid client_fingerprint", () => {
    fc.assert(
      fc.property(gameId, installId, (game, id) => {
        const fp = fingerprint({ gameId: game, installId: id })
        expect(isHex64(fp)).toBe(true)
        expect(Schema.is(Device.ClientFingerprint)(fp)).toBe(true)
        expect(() => new Session.StartSessionRequest({ game_id: game, client_fingerprint: fp })).not.toThrow()
      }),
    )
  })

  it("is stable: the same install gives the same fingerprint every time, in any instance", () => {
    fc.assert(
      fc.property(gameId, installId, fc.constantFrom("ios", "android", "pc"), (game, id, platform) => {
        const first = fingerprint({ gameId: game, installId: id, hints: { platform } })
        expect(fingerprint({ gameId: game, installId: id, hints: { platform } })).toBe(first)
        // A fresh service (a restarted server) computes the same value.
        const service = Effect.runSync(Fingerprint.makeFingerprinter(Redacted.make(Redacted.value(secret))))
        expect(Effect.runSync(service.fingerprint(game, id, { platform }))).toBe(first)
      }),
    )
  })

  it("follows the documented derivation (a change would re-register every player)", () => {
    const gameKey = createHmac("sha256", Redacted.value(secret))
      .update("leadr-fingerprint/v1|game_1")
      .digest()
    const expected = createHmac("sha256", gameKey)
      .update(JSON.stringify(["install-1", "ios", "203.0.113.0/24", "firefox"]))
      .digest("hex")
    const hints = { platform: "iOS", network: "203.0.113.77", userAgentFamily: "firefox" } as const
    expect(fingerprint({ installId: "install-1", hints })).toBe(expected)
    expect(fingerprint({ installId: "install-1" })).toBe(
      "6e2f5429763c0b8be586d5cdc9112d82944b76765461cdb7b7190e4a92f20a7f",
    )
  })

  it("separates games: one install gets unrelated fingerprints in different games", () => {
    fc.assert(
      fc.property(gameId, gameId, installId, (a, b, id) => {
        fc.pre(a !== b)
        expect(fingerprint({ gameId: a, installId: id })).not.toBe(fingerprint({ gameId: b, installId: id }))
      }),
    )
  })

  it("separates installs and deployments", () => {
    fc.assert(
      fc.property(installId, installId, (a, b) => {
        fc.pre(a !== b)
        expect(fingerprint({ installId: a })).not.toBe(fingerprint({ installId: b }))
      }),
    )
    const other = Redacted.make("another-deployment-secret-98765")
    expect(fingerprint({ installId: "install-1", secret: other })).not.toBe(
      fingerprint({ installId: "install-1" }),
    )
  })

  it("keeps no raw value: neither the install id nor the hints appear in the output", () => {
    fc.assert(
      fc.property(
        installId.filter((id) => id.length >= 12),
        ipv4,
        fc.string(),
        (id, [a, b, c, d], userAgent) => {
          const ip = `${a}.${b}.${c}.${d}`
          const fp = fingerprint({ installId: id, hints: Fingerprint.coarseHints({ ip, userAgent }) })
          expect(fp).not.toContain(id)
          expect(fp).not.toContain(ip)
        },
      ),
    )
  })

  it("uses the network only coarsely: addresses in one /24 (or /48) give one fingerprint", () => {
    fc.assert(
      fc.property(installId, ipv4, fc.nat(255), (id, [a, b, c, d], e) => {
        const one = Fingerprint.coarseHints({ ip: `${a}.${b}.${c}.${d}` })
        const two = Fingerprint.coarseHints({ ip: `${a}.${b}.${c}.${e}` })
        const mapped = Fingerprint.coarseHints({ ip: `::ffff:${a}.${b}.${c}.${e}` })
        const next = Fingerprint.coarseHints({ ip: `${a}.${b}.${(c + 1) % 256}.${d}` })
        const fp = fingerprint({ installId: id, hints: one })
        expect(fingerprint({ installId: id, hints: two })).toBe(fp)
        expect(fingerprint({ installId: id, hints: mapped })).toBe(fp)
        // Raw addresses given as hints are coarsened the same way.
        expect(fingerprint({ installId: id, hints: { network: `${a}.${b}.${c}.${e}` } })).toBe(fp)
        expect(fingerprint({ installId: id, hints: next })).not.toBe(fp)
      }),
    )
    fc.assert(
      fc.property(installId, fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), (id, groups) => {
        const hex = groups.map((group) => group.toString(16))
        const sameNetwork = [...hex.slice(0, 3), "ffff", "0", "0", "0", "1"]
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff))
        expect(fingerprint({ installId: id, hints: Fingerprint.coarseHints({ ip: hex.join(":") }) })).toBe(
          fingerprint({ installId: id, hints: Fingerprint.coarseHints({ ip: sameNetwork.join(":") }) }),
        )
      }),
    )
  })

  it("mixes the hints in: the same install differs by platform or browser family", () => {
    const base = fingerprint({ installId: "install-1" })
    const ios = fingerprint({ installId: "install-1", hints: { platform: "ios" } })
    const firefox = fingerprint({ installId: "install-1", hints: { userAgentFamily: "firefox" } })
    expect(new Set([base, ios, firefox]).size).toBe(3)
    // Absent, undefined and empty-hints are the same input.
    expect(fingerprint({ installId: "install-1", hints: {} })).toBe(base)
    expect(fingerprint({ installId: "install-1", hints: { platform: undefined } })).toBe(base)
    expect(fingerprint({ installId: "install-1", hints: { platform: " IOS " } })).toBe(ios)
  })
})

describe("Fingerprint input validation", () => {
  const reasons = (input: Partial<Fingerprint.FingerprintInput>) => {
    const error = failure(input)
    expect(error).toBeInstanceOf(Fingerprint.InvalidFingerprintInput)
    expect(error._tag).toBe("InvalidFingerprintInput")
    return [error.field, error.reason]
  }

  it("rejects bad install ids with typed errors", () => {
    expect(reasons({ installId: "" })).toEqual(["installId", "empty"])
    expect(reasons({ installId: "   " })).toEqual(["installId", "empty"])
    expect(reasons({ installId: "x".repeat(129) })).toEqual(["installId", "too_long"])
    expect(isHex64(fingerprint({ installId: "x".repeat(128) }))).toBe(true)
    expect(reasons({ installId: "abc\u0000def" })).toEqual(["installId", "not_printable"])
    expect(reasons({ installId: "abc\ndef" })).toEqual(["installId", "not_printable"])
    expect(reasons({ installId: "abc\u200bdef" })).toEqual(["installId", "not_printable"])
    // A lone surrogate would hash like U+FFFD: two ids, one fingerprint.
    expect(reasons({ installId: "abc\ud800" })).toEqual(["installId", "not_printable"])
  })

  it("rejects a bad game id or a short secret", () => {
    expect(reasons({ gameId: "" })).toEqual(["gameId", "empty"])
    expect(reasons({ gameId: "g".repeat(129) })).toEqual(["gameId", "too_long"])
    expect(reasons({ secret: Redacted.make("fifteen-bytes!!") })).toEqual(["secret", "too_short"])
    // The minimum counts bytes: 8 two-byte characters are enough.
    expect(isHex64(fingerprint({ installId: "i", secret: Redacted.make("é".repeat(8)) }))).toBe(true)
  })

  it("rejects malformed hints", () => {
    expect(reasons({ hints: { network: "not-an-ip" } })).toEqual(["hints.network", "malformed"])
    expect(reasons({ hints: { network: "10.0.0.0/8" } })).toEqual(["hints.network", "malformed"])
    expect(reasons({ hints: { platform: "" } })).toEqual(["hints.platform", "malformed"])
    expect(reasons({ hints: { platform: "p".repeat(33) } })).toEqual(["hints.platform", "malformed"])
    const family = "opera" as Fingerprint.UserAgentFamily
    expect(reasons({ hints: { userAgentFamily: family } })).toEqual(["hints.userAgentFamily", "malformed"])
  })

  it("never copies a rejected value into the error", () => {
    const tooLong = fc.string({ minLength: 129, maxLength: 300 })
    const withControl = fc
      .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 20 }))
      .map(([before, code, after]) => `${before}${String.fromCharCode(code)}${after}`)
    fc.assert(
      fc.property(fc.oneof(tooLong, withControl), (id) => {
        const error = failure({ installId: id })
        for (const rendered of [error.message, String(error), JSON.stringify(error)]) {
          expect(rendered).not.toContain(id)
        }
      }),
    )
    const short = "short-secret"
    const error = failure({ secret: Redacted.make(short) })
    expect(`${error.message} ${String(error)} ${JSON.stringify(error)}`).not.toContain(short)
    expect(error.message).toBe("secret is shorter than 16 bytes")
  })
})

describe("Fingerprint.coarseHints", () => {
  it("keeps only coarse values", () => {
    expect(
      Fingerprint.coarseHints({
        ip: "203.0.113.77",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        platform: " PC ",
      }),
    ).toEqual({ platform: "pc", network: "203.0.113.0/24", userAgentFamily: "firefox" })
    expect(Fingerprint.coarseHints({ ip: "2001:db8:abcd:12:1:2:3:4" })).toEqual({
      network: "2001:db8:abcd::/48",
    })
    // Unreadable raw values are left out rather than failing.
    expect(Fingerprint.coarseHints({ ip: "unknown", platform: "Linux; x86_64", userAgent: "" })).toEqual({})
  })

  it("never keeps the raw address or user agent", () => {
    fc.assert(
      fc.property(ipv4, fc.string({ minLength: 8 }), ([a, b, c, d], userAgent) => {
        fc.pre(d !== 0)
        const ip = `${a}.${b}.${c}.${d}`
        const hints = JSON.stringify(Fingerprint.coarseHints({ ip, userAgent }))
        expect(hints).not.toContain(ip)
        expect(hints).not.toContain(userAgent)
      }),
    )
  })

  it.each([
    ["203.0.113.7", "203.0.113.0/24"],
    ["::ffff:203.0.113.9", "203.0.113.0/24"],
    ["2001:db8:1:2::1", "2001:db8:1::/48"],
    ["2001:0db8:0001:ffff:0:0:0:1", "2001:db8:1::/48"],
    ["fe80::1%eth0", "fe80::/48"],
    ["::1", "::/48"],
    ["64:ff9b::198.51.100.1", "64:ff9b::/48"],
    ["2001:db8:1::/48", "2001:db8:1::/48"],
    ["203.0.113.0/24", "203.0.113.0/24"],
    ["203.0.113.0/16", undefined],
    ["999.1.1.1", undefined],
    ["", undefined],
  ])("coarseNetwork(%j) is %j", (ip, network) => {
    expect(Fingerprint.coarseNetwork(ip)).toBe(network)
  })

  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "chrome",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
      "chrome",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1",
      "chrome",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "safari",
    ],
    ["Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", "firefox"],
    ["UnityPlayer/2022.3.20f1 (UnityWebRequest/1.0, libcurl/8.5.0-DEV)", "other"],
    ["curl/8.7.1", "other"],
  ])("userAgentFamily(%j) is %s", (userAgent, family) => {
    expect(Fingerprint.userAgentFamily(userAgent)).toBe(family)
  })
})

describe("Fingerprinter service", () => {
  const configured = (values: ReadonlyArray<readonly [string, string]>) =>
    Fingerprint.layerConfig.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(values)))),
    )

  it.effect("reads LEADR_FINGERPRINT_SECRET and agrees with Fingerprint.make", () =>
    Effect.gen(function* () {
      const service = yield* Fingerprint.Fingerprinter
      const fp = yield* service.fingerprint("game_1", "install-1", { platform: "ios" })
      expect(fp).toBe(fingerprint({ installId: "install-1", hints: { platform: "ios" } }))
      const error = yield* Effect.flip(service.fingerprint("game_1", ""))
      expect([error.field, error.reason]).toEqual(["installId", "empty"])
    }).pipe(Effect.provide(configured([["LEADR_FINGERPRINT_SECRET", Redacted.value(secret)]]))),
  )

  it.effect("fails to build without a secret, or with a short one", () =>
    Effect.gen(function* () {
      const missing = yield* Layer.build(configured([])).pipe(Effect.scoped, Effect.flip)
      expect(missing._tag).not.toBe("InvalidFingerprintInput")
      const short = yield* Layer.build(configured([["LEADR_FINGERPRINT_SECRET", "too-short"]])).pipe(
        Effect.scoped,
        Effect.flip,
      )
      expect(short).toBeInstanceOf(Fingerprint.InvalidFingerprintInput)
      const given = yield* Layer.build(Fingerprint.layer(Redacted.make("x"))).pipe(
        Effect.scoped,
        Effect.either,
      )
      expect(Either.isLeft(given)).toBe(true)
    }),
  )

  it.effect("gives 100,000 random installs 100,000 distinct fingerprints", () =>
    Effect.gen(function* () {
      const service = yield* Fingerprint.Fingerprinter
      const seen = new Set<string>()
      for (let i = 0; i < 100_000; i++) {
        seen.add(yield* service.fingerprint("game_1", randomUUID()))
      }
      expect(seen.size).toBe(100_000)
    }).pipe(Effect.provide(Fingerprint.layer(secret))),
  )
})
