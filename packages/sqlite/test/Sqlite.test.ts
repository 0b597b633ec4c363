import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { it } from "@effect/vitest"
import { Sqlite } from "@leadr-toolkit/sqlite"
import { Effect, Exit, Option } from "effect"
import { expect } from "vitest"

const migrations = [
  {
    version: 1,
    name: "items",
    sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
  },
  { version: 2, name: "items.qty", sql: "ALTER TABLE items ADD COLUMN qty INTEGER NOT NULL DEFAULT 0" },
]

const tempFile = () => join(mkdtempSync(join(tmpdir(), "leadr-sqlite-")), "db.sqlite")

it.scoped("applies migrations once, in order, and records the version", () =>
  Effect.gen(function* () {
    const filename = tempFile()
    yield* Effect.scoped(Sqlite.make({ filename, migrations: migrations.slice(0, 1) }))
    const db = yield* Sqlite.make({ filename, migrations })
    const version = yield* db.get<{ user_version: number }>("PRAGMA user_version")
    expect(Option.getOrThrow(version).user_version).toBe(2)
    yield* db.run("INSERT INTO items (name, qty) VALUES (?, ?)", ["a", 3])
    const rows = yield* db.all<{ name: string; qty: number }>("SELECT name, qty FROM items")
    expect(rows).toEqual([{ name: "a", qty: 3 }])
    const mode = yield* db.get<{ journal_mode: string }>("PRAGMA journal_mode")
    expect(Option.getOrThrow(mode).journal_mode).toBe("wal")
  }),
)

it.scopedLive("rolls a failed transaction back and keeps other fibers out of an open one", () =>
  Effect.gen(function* () {
    const db = yield* Sqlite.make({ filename: tempFile(), migrations })
    const failed = yield* Effect.exit(
      db.transaction(
        Effect.zipRight(
          db.run("INSERT INTO items (name) VALUES ('x')"),
          db.run("INSERT INTO items (name) VALUES ('x')"), // UNIQUE violation
        ),
      ),
    )
    expect(Exit.isFailure(failed)).toBe(true)
    expect(yield* db.all("SELECT * FROM items")).toEqual([])

    // A slow transaction and a concurrent outside write: the write waits for the commit.
    const order: Array<string> = []
    yield* Effect.all(
      [
        db.transaction(
          Effect.gen(function* () {
            yield* db.run("INSERT INTO items (name) VALUES ('t1')")
            yield* Effect.sleep("20 millis")
            order.push("tx")
          }),
        ),
        Effect.zipRight(
          Effect.sleep("5 millis"),
          Effect.map(db.run("INSERT INTO items (name) VALUES ('outside')"), () => order.push("outside")),
        ),
      ],
      { concurrency: "unbounded" },
    )
    expect(order).toEqual(["tx", "outside"])
  }),
)

it.scoped("reports constraint failures as SqlError with the SQLite code", () =>
  Effect.gen(function* () {
    const db = yield* Sqlite.make({ filename: ":memory:", migrations })
    yield* db.run("INSERT INTO items (name) VALUES ('dup')")
    const error = yield* Effect.flip(db.run("INSERT INTO items (name) VALUES ('dup')"))
    expect(error._tag).toBe("SqlError")
    expect(error.code).toBe("SQLITE_CONSTRAINT")
  }),
)
