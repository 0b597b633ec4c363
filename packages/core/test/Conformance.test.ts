/**
 * The models against the reference: every example response of the three seed
 * pages and every example of the spec decodes with the schema the API declares
 * for it (also with unknown extra fields), and requests encode to JSON the
 * spec's request schemas accept.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import { describe, expect, it } from "@effect/vitest"
import { Board, Device, LeadrApi, ScoreFlag } from "@leadr-toolkit/core"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as fc from "fast-check"
import { type Json, type JsonRecord, seedEndpoints, spec, specViolations } from "./reference.js"

// ---------------------------------------------------------------------------
// The seed pages' examples, copied verbatim from reference/*.txt (a test below
// checks the copies against the pages).
// ---------------------------------------------------------------------------

/** Every list endpoint's example (Devices, Boards, Score Flags alike). */
const seedListExample = {
  data: [{ id: "scr_123", value: 1000 }],
  pagination: { count: 20, has_next: true, has_prev: false, next_cursor: "eyJwdiI6WzEwMDAsMTIzXX0=" },
}

const seedDeviceExample = {
  id: "string",
  game_id: "string",
  client_fingerprint: "string",
  account_id: "string",
  platform: "string",
  status: "string",
  first_seen_at: "2019-08-24T14:15:22Z",
  last_seen_at: "2019-08-24T14:15:22Z",
  metadata: {},
  created_at: "2019-08-24T14:15:22Z",
  updated_at: "2019-08-24T14:15:22Z",
}

const seedBoardExample = {
  id: "string",
  account_id: "string",
  game_id: "string",
  name: "string",
  slug: "string",
  icon: "string",
  short_code: "string",
  unit: "string",
  is_active: true,
  is_published: true,
  sort_direction: "ASCENDING",
  keep_strategy: "FIRST_ONLY",
  created_from_template_id: "string",
  template_name: "string",
  starts_at: "2019-08-24T14:15:22Z",
  ends_at: "2019-08-24T14:15:22Z",
  tags: ["string"],
  description: "string",
  created_at: "2019-08-24T14:15:22Z",
  updated_at: "2019-08-24T14:15:22Z",
}

const seedScoreFlagExample = {
  id: "string",
  score_event_id: "string",
  flag_type: "string",
  confidence: "string",
  metadata: {},
  status: "string",
  reviewed_at: "2019-08-24T14:15:22Z",
  reviewer_id: "string",
  reviewer_decision: "string",
  created_at: "2019-08-24T14:15:22Z",
  updated_at: "2019-08-24T14:15:22Z",
}

/**
 * The pages' generator writes "string" for every string, enums included. Where
 * the model is an enum, a placeholder is replaced by a valid value (and a test
 * shows the placeholder itself is rejected, on purpose: code that gates on a
 * status must not guess).
 */
const validEnums: Record<string, Record<string, string>> = {
  DeviceResponse: { status: "active" },
  ScoreFlagResponse: { flag_type: "velocity", confidence: "high", status: "pending" },
}

const withValidEnums = (schemaName: string, example: JsonRecord): JsonRecord => ({
  ...example,
  ...validEnums[schemaName],
})

/** The single-item examples, valid, by schema name: also the items of the list examples. */
const seedItems: Record<string, JsonRecord> = {
  DeviceResponse: withValidEnums("DeviceResponse", seedDeviceExample),
  BoardResponse: seedBoardExample,
  ScoreFlagResponse: withValidEnums("ScoreFlagResponse", seedScoreFlagExample),
}

// ---------------------------------------------------------------------------
// The schemas the API declares, by endpoint and by component name.
// ---------------------------------------------------------------------------

type Declared = Schema.Schema<unknown, unknown>

const componentName = (ast: AST.AST): string | undefined =>
  Option.getOrUndefined(
    Option.orElse(AST.getIdentifierAnnotation(ast), () =>
      Option.flatMap(AST.getSurrogateAnnotation(ast), AST.getIdentifierAnnotation),
    ),
  )

const successes = new Map<string, ReadonlyMap<number, Declared>>()
const byName = new Map<string, Declared>()
HttpApi.reflect(LeadrApi.LeadrApi, {
  onGroup: () => {},
  onEndpoint: ({ endpoint, successes: declared }) => {
    const key = `${endpoint.method.toLowerCase()} ${endpoint.path.replace(/:(\w+)/g, "{$1}")}`
    const schemas = new Map<number, Declared>()
    for (const [status, { ast }] of declared) {
      if (Option.isNone(ast)) continue
      const schema = Schema.make<unknown, unknown, never>(ast.value)
      schemas.set(status, schema)
      const name = componentName(ast.value)
      if (name !== undefined && !byName.has(name)) byName.set(name, schema)
    }
    successes.set(key, schemas)
  },
})

/** Decodes a response body as the client does: JSON text through the declared schema. */
const decodeBody = (schema: Declared, body: unknown) =>
  Schema.decodeUnknownEither(Schema.parseJson(schema))(JSON.stringify(body))

const expectDecodes = (schema: Declared, body: unknown) => {
  const result = decodeBody(schema, body)
  if (Either.isLeft(result)) expect.fail(String(result.left))
  return result.right
}

/**
 * Adds unknown fields at the top and on every nested object, as a newer server
 * might; `metadata` is free-form, so what is in it is data, not an unknown field.
 */
const withExtras = (value: Json, extras: JsonRecord): Json =>
  Array.isArray(value)
    ? value.map((item) => withExtras(item, extras))
    : typeof value === "object" && value !== null
      ? {
          ...Object.fromEntries(
            Object.entries(value).map(([key, field]) => [
              key,
              key === "metadata" ? field : withExtras(field, extras),
            ]),
          ),
          ...extras,
        }
      : value

const extraFields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).map((key) => `x_${key}`),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  { minKeys: 1, maxKeys: 4 },
)

describe("seed page examples", () => {
  it("are copied verbatim from the pages", () => {
    const copies: Record<string, JsonRecord> = {
      DeviceResponse: seedDeviceExample,
      BoardResponse: seedBoardExample,
      ScoreFlagResponse: seedScoreFlagExample,
    }
    let compared = 0
    for (const endpoint of seedEndpoints) {
      for (const [status, example] of endpoint.examples) {
        const name = endpoint.responses.get(status)!
        expect(example, `${endpoint.method} ${endpoint.path}`).toEqual(
          name.startsWith("PaginatedResponse_") ? seedListExample : copies[name],
        )
        compared++
      }
    }
    expect(compared).toBe(10)
  })

  describe.each(
    seedEndpoints.flatMap((endpoint) =>
      [...endpoint.examples].map(
        ([status, example]) =>
          [`${endpoint.method.toUpperCase()} ${endpoint.path} ${status}`, endpoint, status, example] as const,
      ),
    ),
  )("%s", (_, endpoint, status, example) => {
    const name = endpoint.responses.get(status)!
    const schema = successes.get(`${endpoint.method} ${endpoint.path}`)?.get(status)
    const itemName = /^PaginatedResponse_(\w+)_$/.exec(name)?.[1]

    it("has a declared success schema with the seed's status and name", () => {
      expect(schema).toBeDefined()
      expect(componentName(schema!.ast)).toBe(name)
    })

    if (itemName === undefined)
      it("decodes (placeholder enums made valid)", () => {
        expectDecodes(schema!, withValidEnums(name, example))
      })

    if (name in validEnums)
      it("rejects the placeholder enum values themselves", () => {
        expect(Either.isLeft(decodeBody(schema!, example))).toBe(true)
      })

    if (itemName !== undefined)
      it("decodes: its pagination as is, its data with real items", () => {
        // The list examples carry a generic item ({"id": "scr_123", "value": 1000}),
        // not a DeviceResponse/BoardResponse/ScoreFlagResponse: it is rejected, and
        // the page decodes with the page's own single-item example in its place.
        expect(Either.isLeft(decodeBody(schema!, example))).toBe(true)
        const page = expectDecodes(schema!, { ...example, data: [seedItems[itemName!]] }) as {
          data: ReadonlyArray<unknown>
          pagination: {
            next_cursor: string | null
            prev_cursor: string | null
            has_next: boolean
            count: number
          }
        }
        expect(page.data).toHaveLength(1)
        expect(page.pagination).toMatchObject({
          next_cursor: "eyJwdiI6WzEwMDAsMTIzXX0=",
          prev_cursor: null,
          has_next: true,
          count: 20,
        })
        expectDecodes(schema!, { ...example, data: [] })
      })

    it("decodes with unknown extra fields anywhere, to the same value", () => {
      const valid: JsonRecord =
        itemName === undefined ? withValidEnums(name, example) : { ...example, data: [seedItems[itemName!]!] }
      const plain = expectDecodes(schema!, valid)
      fc.assert(
        fc.property(extraFields, (extras) => {
          expect(expectDecodes(schema!, withExtras(valid, extras))).toEqual(plain)
        }),
        { numRuns: 30 },
      )
    })
  })

  it("decode to the models' values", () => {
    const device = expectDecodes(byName.get("DeviceResponse")!, seedItems.DeviceResponse) as Device.Device
    expect(device).toBeInstanceOf(Device.Device)
    expect(device.status).toBe("active")
    expect(device.first_seen_at.toJSON()).toBe("2019-08-24T14:15:22.000Z")
    const board = expectDecodes(byName.get("BoardResponse")!, seedBoardExample) as Board.Board
    expect(board).toBeInstanceOf(Board.Board)
    // The seed page predates url_short; a missing nullable field decodes as null.
    expect(board.url_short).toBeNull()
    expect(board.tags).toEqual(["string"])
  })
})

describe("spec examples", () => {
  /** Every `example`/`examples` the spec gives for a component schema. */
  const examples = Object.entries(spec.components.schemas).flatMap(([name, schema]) => {
    const many = (schema as { examples?: ReadonlyArray<JsonRecord> }).examples ?? []
    return [...(schema.example === undefined ? [] : [schema.example]), ...many].map((example) => ({
      name,
      example,
    }))
  })
  const modelled = examples.filter(({ name }) => byName.has(name))

  it("cover the seed schemas, and every example whose schema the API declares is tried", () => {
    expect(modelled.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        "PaginatedResponse_DeviceResponse_",
        "PaginatedResponse_BoardResponse_",
        "PaginatedResponse_ScoreFlagResponse_",
      ]),
    )
    // The rest belong to endpoints outside the toolkit (templates, jam codes, ...).
    for (const { name } of examples.filter(({ name }) => !byName.has(name))) {
      expect(name).toMatch(/BoardTemplate|DeviceSession|JamCode|ScoreSubmissionMeta/)
    }
  })

  it.each(modelled.map(({ name, example }) => [name, example] as const))("%s decodes", (name, example) => {
    const schema = byName.get(name)!
    const item = /^PaginatedResponse_(\w+)_$/.exec(name)?.[1]
    if (item === undefined) {
      expectDecodes(schema, example)
      return
    }
    // Same generic item as the seed pages: the envelope decodes without it,
    // and with a real item where the seed pages give one.
    expect(Either.isLeft(decodeBody(schema, example))).toBe(true)
    expectDecodes(schema, { ...example, data: [] })
    if (seedItems[item] !== undefined) expectDecodes(schema, { ...example, data: [seedItems[item]] })
  })
})

describe("ScoreFlag ids", () => {
  const flag = seedItems.ScoreFlagResponse!
  const { score_event_id: _, ...withoutId } = flag
  const decode = Schema.decodeUnknownEither(ScoreFlag.ScoreFlagResponse)

  it("decodes the seed's score_event_id and the spec's score_id", () => {
    expect(Either.getOrThrow(decode({ ...withoutId, score_event_id: "se_1" })).score_event_id).toBe("se_1")
    expect(Either.getOrThrow(decode({ ...withoutId, score_id: "sc_1" })).score_event_id).toBe("sc_1")
    // Both present: the seed's name wins.
    expect(
      Either.getOrThrow(decode({ ...withoutId, score_event_id: "se_1", score_id: "sc_1" })).score_event_id,
    ).toBe("se_1")
    expect(Either.isLeft(decode(withoutId))).toBe(true)
  })

  it("encodes score_event_id only", () => {
    const decoded = Either.getOrThrow(decode({ ...withoutId, score_id: "sc_1" }))
    const encoded = Schema.encodeSync(ScoreFlag.ScoreFlagResponse)(decoded) as Record<string, unknown>
    expect(encoded.score_event_id).toBe("sc_1")
    expect(encoded).not.toHaveProperty("score_id")
  })
})

/** JSON as it goes on the wire. */
const wire = (value: unknown): JsonRecord => JSON.parse(JSON.stringify(value)) as JsonRecord
/** The seed writes whole seconds; the models write milliseconds. */
const millis = (value: JsonRecord): JsonRecord =>
  JSON.parse(JSON.stringify(value).replaceAll(/(T\d\d:\d\d:\d\d)Z/g, "$1.000Z")) as JsonRecord

describe("requests", () => {
  it("BoardCreateRequest carries the service's defaults", () => {
    const encoded = wire(
      Schema.encodeSync(Board.BoardCreateRequest)(
        new Board.BoardCreateRequest({ account_id: "acc_1", game_id: "gam_1", name: "Weekly" }),
      ),
    )
    expect(encoded).toEqual({
      account_id: "acc_1",
      game_id: "gam_1",
      name: "Weekly",
      icon: "fa-crown",
      is_active: true,
      is_published: true,
      sort_direction: "DESCENDING",
      keep_strategy: "ALL",
    })
    expect(specViolations("BoardCreateRequest", encoded)).toEqual([])
    // The same defaults when the server decodes a minimal body.
    const decoded = Schema.decodeUnknownSync(Board.BoardCreateRequest)({
      account_id: "acc_1",
      game_id: "gam_1",
      name: "Weekly",
    })
    expect(wire(Schema.encodeSync(Board.BoardCreateRequest)(decoded))).toEqual(encoded)
  })

  it("DeviceUpdateRequest and ScoreFlagUpdateRequest encode as the service takes them", () => {
    const device = wire(
      Schema.encodeSync(Device.DeviceUpdateRequest)(new Device.DeviceUpdateRequest({ status: "banned" })),
    )
    expect(device).toEqual({ status: "banned" })
    expect(specViolations("DeviceUpdateRequest", device)).toEqual([])
    const review = wire(
      Schema.encodeSync(ScoreFlag.ScoreFlagUpdateRequest)(
        new ScoreFlag.ScoreFlagUpdateRequest({
          status: "confirmed_cheat",
          reviewer_decision: "Replay shows a speed hack",
          deleted: false,
        }),
      ),
    )
    expect(review).toEqual({
      status: "confirmed_cheat",
      reviewer_decision: "Replay shows a speed hack",
      deleted: false,
    })
    expect(specViolations("ScoreFlagUpdateRequest", review)).toEqual([])
    expect(wire(Schema.encodeSync(Device.DeviceUpdateRequest)(new Device.DeviceUpdateRequest({})))).toEqual(
      {},
    )
  })

  const requests = {
    BoardCreateRequest: Board.BoardCreateRequest,
    BoardUpdateRequest: Board.BoardUpdateRequest,
    DeviceUpdateRequest: Device.DeviceUpdateRequest,
    ScoreFlagUpdateRequest: ScoreFlag.ScoreFlagUpdateRequest,
  } as const

  it.each(Object.keys(requests) as Array<keyof typeof requests>)(
    "the seed's %s body example decodes and encodes back",
    (name) => {
      const endpoint = seedEndpoints.find((e) =>
        e.parameters.some((p) => p.in === "body" && p.type === name),
      )!
      const body = endpoint.body!
      const schema = requests[name] as unknown as Schema.Schema<unknown, JsonRecord>
      // Statuses are plain strings on the wire so that the server answers an
      // unknown one with the service's 400; the placeholder "string" decodes.
      const decoded = Schema.decodeUnknownSync(schema)(body)
      expect(wire(Schema.encodeSync(schema)(decoded))).toEqual(millis(body))
      expect(specViolations(name, body)).toEqual([])
    },
  )

  it.each(Object.keys(requests) as Array<keyof typeof requests>)(
    "any %s encodes to JSON the spec accepts",
    (name) => {
      const schema = requests[name] as unknown as Schema.Schema<unknown, JsonRecord>
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (request) => {
          expect(specViolations(name, wire(Schema.encodeSync(schema)(request)))).toEqual([])
        }),
        { numRuns: 50 },
      )
    },
  )
})

describe("responses the local server encodes", () => {
  const responses = {
    DeviceResponse: Device.Device,
    BoardResponse: Board.Board,
  } as const

  it.each(Object.keys(responses) as Array<keyof typeof responses>)("any %s matches the spec", (name) => {
    const schema = responses[name] as unknown as Schema.Schema<unknown, JsonRecord>
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(schema), (value) => {
        expect(specViolations(name, wire(Schema.encodeSync(schema)(value)))).toEqual([])
      }),
      { numRuns: 50 },
    )
  })

  it("a ScoreFlagResponse matches the spec but for the seed's score_event_id in place of score_id", () => {
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(ScoreFlag.ScoreFlag), (flag) => {
        const encoded = wire(Schema.encodeSync(ScoreFlag.ScoreFlagResponse)(flag))
        expect(specViolations("ScoreFlagResponse", encoded)).toEqual(["ScoreFlagResponse.score_id: missing"])
        const { score_event_id, ...rest } = encoded
        expect(specViolations("ScoreFlagResponse", { ...rest, score_id: score_event_id! })).toEqual([])
      }),
      { numRuns: 50 },
    )
  })
})
