/**
 * `Pagination.paginate` against a model of a cursor-paged source that behaves
 * correctly in every way the service may: opaque cursors, short pages, a last
 * page whose `next_cursor` is null, missing or stale, `prev_cursor` or not.
 * Pages go through the wire schema (`Paginated`) as a client would decode them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Pagination } from "@leadr-toolkit/core"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"

class SourceDown extends Data.TaggedError("SourceDown")<{ readonly page: number }> {}

const Item = Schema.Struct({ id: Schema.Int, name: Schema.String })
type Item = typeof Item.Type
const PageOfItems = Pagination.Paginated(Item, "Item")
const decodePage = Schema.decodeUnknownSync(PageOfItems)

/** How a correct source may differ from another. */
interface Behaviour {
  readonly limit: number
  /** Return fewer than `limit` items on some pages (a correct source may). */
  readonly shortPages: boolean
  /** What the last page says as `next_cursor`. */
  readonly lastCursor: "null" | "absent" | "stale"
  readonly sendsPrevCursor: boolean
  /** Page number (1-based) that fails, if any. */
  readonly failsAt: number | undefined
  readonly seed: number
}

type Event = { readonly fetch: Option.Option<string> } | { readonly item: Item }

/** A paged source over `items`: cursors are opaque tokens, pages are wire JSON. */
const makeSource = (items: ReadonlyArray<Item>, behaviour: Behaviour) => {
  const cursors = new Map<string, number>()
  const log: Array<Event> = []
  const pages: Array<{ readonly offset: number; readonly size: number; readonly next: string | null }> = []
  let random = behaviour.seed
  const nextRandom = () => {
    random = (random * 1103515245 + 12345) % 2 ** 31
    return random
  }
  const fetchPage = (cursor: Option.Option<string>) =>
    Effect.suspend(() => {
      log.push({ fetch: cursor })
      const page = pages.length + 1
      if (behaviour.failsAt === page) return Effect.fail(new SourceDown({ page }))
      const offset = Option.match(cursor, {
        onNone: () => 0,
        onSome: (token) => {
          const at = cursors.get(token)
          if (at === undefined) throw new Error(`unknown cursor ${token}`)
          return at
        },
      })
      const remaining = items.length - offset
      const full = Math.min(behaviour.limit, remaining)
      const size = behaviour.shortPages && full > 1 ? 1 + (nextRandom() % full) : full
      const end = offset + size
      const hasNext = end < items.length
      const token = `c${nextRandom().toString(36)}${cursors.size}`
      if (hasNext) cursors.set(token, end)
      const nextCursor = hasNext ? token : behaviour.lastCursor === "stale" ? `stale-${token}` : null
      pages.push({ offset, size, next: hasNext ? token : null })
      const wire = {
        data: items.slice(offset, end),
        pagination: {
          ...(nextCursor === null && behaviour.lastCursor === "absent" ? {} : { next_cursor: nextCursor }),
          ...(behaviour.sendsPrevCursor && offset > 0 ? { prev_cursor: `prev-${offset}` } : {}),
          has_next: hasNext,
          has_prev: offset > 0,
          count: size,
        },
      }
      return Effect.succeed(decodePage(JSON.parse(JSON.stringify(wire))))
    })
  return { fetchPage, log, pages }
}

const stream = (source: ReturnType<typeof makeSource>) =>
  Pagination.paginate(source.fetchPage).pipe(
    Stream.tap((item) => Effect.sync(() => source.log.push({ item }))),
  )

const items = fc
  .array(fc.string({ maxLength: 5 }), { maxLength: 120 })
  .map((names) => names.map((name, id) => ({ id, name })))

const behaviour = (overrides: Partial<{ [K in keyof Behaviour]: fc.Arbitrary<Behaviour[K]> }> = {}) =>
  fc.record<Behaviour>({
    limit: fc.integer({ min: 1, max: 100 }),
    shortPages: fc.boolean(),
    lastCursor: fc.constantFrom("null", "absent", "stale"),
    sendsPrevCursor: fc.boolean(),
    failsAt: fc.constant(undefined),
    seed: fc.nat(),
    ...overrides,
  })

const fetches = (log: ReadonlyArray<Event>) => log.flatMap((event) => ("fetch" in event ? [event.fetch] : []))

describe("Pagination.paginate", () => {
  it("yields every item once, in order, following each next_cursor, and stops at has_next false", () => {
    fc.assert(
      fc.property(items, behaviour(), (all, how) => {
        const source = makeSource(all, how)
        const collected = Effect.runSync(Stream.runCollect(stream(source)))
        expect([...collected]).toEqual(all)
        // One fetch per page the source has, and none after the last.
        const cursors = fetches(source.log)
        expect(cursors).toHaveLength(source.pages.length)
        expect(source.pages.at(-1)?.next).toBeNull()
        // The first fetch has no cursor; each later one uses the previous page's next_cursor.
        expect(cursors[0]).toEqual(Option.none())
        cursors.slice(1).forEach((cursor, index) => {
          expect(cursor).toEqual(Option.some(source.pages[index]!.next))
        })
      }),
    )
  })

  it("honours the limit: no page, and no run of items between fetches, exceeds it", () => {
    fc.assert(
      fc.property(items, behaviour(), (all, how) => {
        const source = makeSource(all, how)
        Effect.runSync(Stream.runDrain(stream(source)))
        for (const page of source.pages) expect(page.size).toBeLessThanOrEqual(how.limit)
        let run = 0
        for (const event of source.log) {
          run = "fetch" in event ? 0 : run + 1
          expect(run).toBeLessThanOrEqual(how.limit)
        }
      }),
    )
  })

  it("is lazy: taking n items fetches ceil(n / limit) full pages, each only once its predecessor is consumed", () => {
    fc.assert(
      fc.property(items, behaviour({ shortPages: fc.constant(false) }), fc.nat(130), (all, how, n) => {
        const source = makeSource(all, how)
        const taken = Effect.runSync(Stream.runCollect(stream(source).pipe(Stream.take(n))))
        expect([...taken]).toEqual(all.slice(0, n))
        const totalPages = Math.max(1, Math.ceil(all.length / how.limit))
        const expected = n === 0 ? 0 : Math.min(Math.ceil(n / how.limit), totalPages)
        expect(fetches(source.log)).toHaveLength(expected)
        // Back-pressure: page k + 1 is fetched only after every item of pages 1..k was taken.
        let seen = 0
        let pagesFetched = 0
        for (const event of source.log) {
          if ("fetch" in event) {
            const delivered = source.pages.slice(0, pagesFetched).reduce((sum, page) => sum + page.size, 0)
            expect(seen).toBe(delivered)
            pagesFetched++
          } else seen++
        }
      }),
    )
  })

  it("propagates a page's failure after the items of the pages before it, and fetches no further", () => {
    fc.assert(
      fc.property(items, behaviour(), fc.nat(), (all, how, pick) => {
        const pagesWithoutFailure = makeSource(all, how)
        Effect.runSync(Stream.runDrain(stream(pagesWithoutFailure)))
        const failsAt = 1 + (pick % pagesWithoutFailure.pages.length)
        const source = makeSource(all, { ...how, failsAt })
        const emitted: Array<Item> = []
        const result = Effect.runSync(
          Stream.runForEach(stream(source), (item) => Effect.sync(() => emitted.push(item))).pipe(
            Effect.either,
          ),
        )
        expect(result).toEqual(Either.left(new SourceDown({ page: failsAt })))
        const before = source.pages.reduce((sum, page) => sum + page.size, 0)
        expect(emitted).toEqual(all.slice(0, before))
        expect(fetches(source.log)).toHaveLength(failsAt)
      }),
    )
  })

  it.effect(
    "fails with DecodeError, after the items it has, when a page says has_next without a next_cursor",
    () =>
      Effect.gen(function* () {
        const pages = [
          decodePage({
            data: [{ id: 1, name: "a" }],
            pagination: { has_next: true, has_prev: false, count: 1 },
          }),
        ]
        const seen: Array<number> = []
        const error = yield* Pagination.paginate(() => Effect.succeed(pages[0]!)).pipe(
          Stream.runForEach((item) => Effect.sync(() => seen.push(item.id))),
          Effect.flip,
        )
        expect(seen).toEqual([1])
        expect(error._tag).toBe("DecodeError")
      }),
  )

  it("decodes the wire envelope: a missing next_cursor or prev_cursor is null", () => {
    const page = decodePage({ data: [], pagination: { has_next: false, has_prev: false, count: 0 } })
    expect(page.pagination.next_cursor).toBeNull()
    expect(page.pagination.prev_cursor).toBeNull()
  })
})
