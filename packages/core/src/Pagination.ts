/**
 * Cursor pagination: the page envelope every list returns, the parameters every
 * list takes, and a `Stream` that walks all pages lazily.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { wireName } from "./internal/fields.js"
import { DecodeError } from "./LeadrError.js"

/**
 * Page metadata (`PaginationMeta`).
 *
 * @since 0.1.0
 * @category models
 */
export class PaginationMeta extends Schema.Class<PaginationMeta>("PaginationMeta")(
  {
    next_cursor: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    prev_cursor: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    has_next: Schema.Boolean,
    has_prev: Schema.Boolean,
    count: Schema.Int,
  },
  wireName("PaginationMeta"),
) {}

/**
 * One page of a list.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly pagination: PaginationMeta
}

/**
 * The schema of a page of `item`, named as the service names it
 * (`PaginatedResponse_<ItemName>_`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Paginated = <A, I, R>(item: Schema.Schema<A, I, R>, itemName: string) =>
  Schema.Struct({
    data: Schema.Array(item),
    pagination: PaginationMeta,
  }).annotations({ identifier: `PaginatedResponse_${itemName}_` })

/**
 * Page size: 1..100 (the service's default is 20).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Limit = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, 100, { message: () => "limit must be an integer between 1 and 100" }),
)

/**
 * The query parameters every list accepts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PageParams = {
  cursor: Schema.optional(
    Schema.String.annotations({ description: "Pagination cursor for navigating results" }),
  ),
  limit: Schema.optional(
    Limit.annotations({
      description: "Number of items per page (1-100)",
      // Documented as the service does (an integer); otherwise the OpenAPI shows the encoded string.
      jsonSchema: {
        type: "integer",
        minimum: 1,
        maximum: 100,
        description: "Number of items per page (1-100)",
      },
    }),
  ),
  sort: Schema.optional(
    Schema.String.annotations({ description: "Sort specification (e.g., 'value:desc,created_at:asc')" }),
  ),
}

/**
 * Walks a cursor-paginated list as a `Stream`: fetches the first page with no
 * cursor, then follows `next_cursor` while `has_next` is true. Pages are fetched
 * lazily, one at a time, only as the consumer pulls. A page that claims more
 * (`has_next`) without a `next_cursor` fails the stream with a `DecodeError`
 * rather than ending it early.
 *
 * @since 0.1.0
 * @category streams
 */
export const paginate = <A, E, R>(
  fetchPage: (cursor: Option.Option<string>) => Effect.Effect<Page<A>, E, R>,
): Stream.Stream<A, E | DecodeError, R> =>
  // The state is the cursor to fetch with, or `null` after a page that claimed more without a cursor.
  Stream.paginateEffect<Option.Option<string> | null, ReadonlyArray<A>, E | DecodeError, R>(
    Option.none(),
    (cursor) => {
      if (cursor === null) {
        return Effect.fail(new DecodeError({ detail: "a page said has_next but carried no next_cursor" }))
      }
      return Effect.map(fetchPage(cursor), (page) => {
        const { has_next, next_cursor } = page.pagination
        if (!has_next) return [page.data, Option.none()] as const
        // Ending here would silently drop the rest of the list: fail once this page's items are out.
        const next = next_cursor === null || next_cursor === "" ? null : Option.some(next_cursor)
        return [page.data, Option.some(next)] as const
      })
    },
  ).pipe(Stream.flattenIterables)
