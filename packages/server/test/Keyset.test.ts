import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Keyset from "../src/Keyset.js"

interface Row {
  readonly id: string
  readonly a: number
  readonly b: string
  readonly c: number
  readonly created_at: string
}

const fields = { id: "id", a: "a", b: "b", c: "c", created_at: "created_at" }
type Field = keyof typeof fields

const compareBy = (keys: ReadonlyArray<{ field: Field; desc: boolean }>) => (x: Row, y: Row) => {
  for (const { field, desc } of keys) {
    const l = x[field]
    const r = y[field]
    if (l !== r) return (l < r ? -1 : 1) * (desc ? -1 : 1)
  }
  return 0
}

const rowArb = fc.record({
  a: fc.integer({ min: 0, max: 3 }),
  b: fc.constantFrom("x", "y", "z", "xy"),
  c: fc.constantFrom(-1.5, 0, 0.25, 1e9),
  created_at: fc.constantFrom(
    "2025-01-01T00:00:00.000Z",
    "2025-01-01T00:00:00.001Z",
    "2025-06-01T12:00:00.000Z",
  ),
})

const specArb = fc
  .shuffledSubarray(["id", "a", "b", "c", "created_at"] as Array<Field>, { minLength: 0, maxLength: 5 })
  .chain((picked) =>
    fc.tuple(
      fc.constant(picked),
      fc.array(fc.boolean(), { minLength: picked.length, maxLength: picked.length }),
    ),
  )
  .map(([picked, dirs]) => picked.map((field, i) => ({ field, desc: dirs[i]! })))

describe("Keyset", () => {
  let db: Sqlite.SqliteService
  const scope = Effect.runSync(Scope.make())
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

  beforeAll(async () => {
    db = await run(Scope.extend(Sqlite.make({ filename: ":memory:" }), scope))
    await run(db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, a INTEGER, b TEXT, c REAL, created_at TEXT)"))
  })
  afterAll(() => run(Scope.close(scope, Exit.void)))

  const pageOf = (request: Keyset.PageRequest, filters: unknown = {}) =>
    run(
      Keyset.page<Row>(
        db,
        { select: "id, a, b, c, created_at", from: "t", where: [], params: [], filters },
        fields,
        request,
      ),
    )

  it("next_cursor visits every row once in order; prev_cursor walks back through the same pages", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 40 }),
        specArb,
        fc.integer({ min: 1, max: 7 }),
        async (data, spec, limit) => {
          const rows: Array<Row> = data.map((r, i) => ({ ...r, id: `r${String(i).padStart(3, "0")}` }))
          await run(db.exec("DELETE FROM t"))
          for (const r of rows) {
            await run(db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [r.id, r.a, r.b, r.c, r.created_at]))
          }
          const sort =
            spec.length === 0 ? undefined : spec.map((k) => `${k.field}:${k.desc ? "desc" : "asc"}`).join(",")
          const keys = spec.length === 0 ? [{ field: "created_at" as Field, desc: true }] : spec
          const order = keys.some((k) => k.field === "id")
            ? keys
            : [...keys, { field: "id" as Field, desc: false }]
          const expected = [...rows].sort(compareBy(order)).map((r) => r.id)

          const pages: Array<Array<string>> = []
          let page = await pageOf({ limit, sort })
          expect(page.pagination.has_prev).toBe(false)
          pages.push(page.rows.map((r) => r.id))
          while (page.pagination.has_next) {
            page = await pageOf({ limit, sort, cursor: page.pagination.next_cursor! })
            pages.push(page.rows.map((r) => r.id))
          }
          expect(pages.flat()).toEqual(expected)
          for (const p of pages.slice(0, -1)) expect(p).toHaveLength(limit)

          const back: Array<Array<string>> = [page.rows.map((r) => r.id)]
          while (page.pagination.has_prev) {
            page = await pageOf({ limit, sort, cursor: page.pagination.prev_cursor! })
            back.unshift(page.rows.map((r) => r.id))
          }
          expect(back).toEqual(pages)
        },
      ),
      { numRuns: 150 },
    )
  })

  it("rejects malformed cursors, unknown sort fields and cursors of another sort or filter", async () => {
    expect(Either.isLeft(Keyset.parseSort("nope:asc", fields))).toBe(true)
    expect(Either.isLeft(Keyset.parseSort("a:sideways", fields))).toBe(true)
    expect(Either.isLeft(Keyset.parseSort("a,a", fields))).toBe(true)
    for (const cursor of [
      "%%%",
      "bm90IGpzb24",
      Buffer.from('{"d":"next"}').toString("base64url"),
      "x".repeat(5000),
    ]) {
      expect(Either.isLeft(Keyset.decodeCursor(cursor))).toBe(true)
    }
    await run(db.exec("DELETE FROM t"))
    for (let i = 0; i < 5; i++) {
      await run(db.run("INSERT INTO t VALUES (?, 1, 'x', 0, '2025-01-01T00:00:00.000Z')", [`r${i}`]))
    }
    const first = await pageOf({ limit: 2, sort: "a:asc" }, { f: 1 })
    const cursor = first.pagination.next_cursor!
    const mismatch = (request: Keyset.PageRequest, filters: unknown) =>
      Effect.runPromise(
        Effect.flip(
          Keyset.page(db, { select: "id", from: "t", where: [], params: [], filters }, fields, request).pipe(
            Effect.catchTag("SqlError", Effect.die),
          ),
        ),
      )
    expect((await mismatch({ cursor, sort: "b:asc" }, { f: 1 })).detail).toMatch(/Cursor state mismatch/)
    expect((await mismatch({ cursor, sort: "a:asc" }, { f: 2 })).detail).toMatch(/Cursor state mismatch/)
    // Without a sort, a cursor keeps the sort it was minted with.
    const second = await pageOf({ cursor, limit: 2 }, { f: 1 })
    expect(second.rows.map((r) => r.id)).toEqual(["r2", "r3"])
  })
})
