import { existsSync, mkdtempSync } from "node:fs"
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

it.scoped(
  "runs a prepared statement many times, inside and outside transactions, and finalizes it with its scope",
  () =>
    Effect.gen(function* () {
      const filename = tempFile()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const db = yield* Sqlite.make({ filename, migrations })
          const insert = yield* db.prepare("INSERT INTO items (name, qty) VALUES (?1, ?2)")
          const byQty = yield* db.prepare("SELECT name FROM items WHERE qty >= ? ORDER BY id")
          const first = yield* insert.run(["a", 1])
          const second = yield* insert.run(["b", 2])
          expect(second.lastId).toBe(first.lastId + 1)
          expect(second.changes).toBe(1)
          yield* db.transaction(Effect.zipRight(insert.run(["c", 3]), insert.run(["d", 4])))
          // A failed run leaves the statement usable.
          const duplicate = yield* Effect.flip(insert.run(["a", 5]))
          expect(duplicate.code).toBe("SQLITE_CONSTRAINT")
          expect(yield* byQty.all<{ name: string }>([2])).toEqual([
            { name: "b" },
            { name: "c" },
            { name: "d" },
          ])
          expect(yield* byQty.all<{ name: string }>([4])).toEqual([{ name: "d" }])
        }),
      )
      // SQLite refuses to close a connection with a live statement; a closed last connection removes its WAL.
      expect(existsSync(`${filename}-wal`)).toBe(false)
      const db = yield* Sqlite.make({ filename, migrations })
      expect(yield* db.all("SELECT name FROM items ORDER BY id")).toEqual([
        { name: "a" },
        { name: "b" },
        { name: "c" },
        { name: "d" },
      ])
    }),
)

it.scoped("reports a statement that does not compile as SqlError", () =>
  Effect.gen(function* () {
    const db = yield* Sqlite.make({ filename: ":memory:", migrations })
    const error = yield* Effect.flip(db.prepare("SELECT nope FROM items"))
    expect(error._tag).toBe("SqlError")
    expect(error.sql).toBe("SELECT nope FROM items")
  }),
)

it.scopedLive(
  "a high-priority statement takes the connection before waiting normal ones, and waits for the holder",
  () =>
    Effect.gen(function* () {
      const db = yield* Sqlite.make({ filename: tempFile(), migrations })
      const urgent = yield* db.prepare("INSERT INTO items (name) VALUES (?)", { priority: "high" })
      const order: Array<string> = []
      const holder = yield* Effect.fork(
        db.transaction(
          Effect.gen(function* () {
            yield* db.run("INSERT INTO items (name) VALUES ('holder')")
            yield* Effect.sleep("30 millis")
            order.push("holder")
          }),
        ),
      )
      yield* Effect.sleep("5 millis")
      // Three normal writes queue first, then the urgent one: it goes right after the holder.
      const normals = yield* Effect.forEach([1, 2, 3], (i) =>
        Effect.fork(
          Effect.map(db.run("INSERT INTO items (name) VALUES (?)", [`n${i}`]), () => order.push(`n${i}`)),
        ),
      )
      yield* Effect.sleep("5 millis")
      const high = yield* Effect.fork(Effect.map(urgent.run(["urgent"]), () => order.push("urgent")))
      yield* holder.await
      yield* high.await
      for (const fiber of normals) yield* fiber.await
      expect(order).toEqual(["holder", "urgent", "n1", "n2", "n3"])
      const names = yield* db.all<{ name: string }>("SELECT name FROM items ORDER BY id")
      expect(names.map((r) => r.name)).toEqual(["holder", "urgent", "n1", "n2", "n3"])
    }),
)

it.scopedLive("a waiter interrupted in the queue neither holds nor loses the connection", () =>
  Effect.gen(function* () {
    const db = yield* Sqlite.make({ filename: tempFile(), migrations })
    const holder = yield* Effect.fork(db.transaction(Effect.sleep("20 millis")))
    yield* Effect.sleep("5 millis")
    const waiting = yield* Effect.fork(db.run("INSERT INTO items (name) VALUES ('gone')"))
    yield* Effect.sleep("2 millis")
    yield* Effect.fiberIdWith((id) => waiting.interruptAsFork(id))
    yield* holder.await
    // The next statement gets the connection: nothing was left holding it.
    yield* Effect.timeoutFail(db.run("INSERT INTO items (name) VALUES ('after')"), {
      duration: "1 second",
      onTimeout: () => new Error("the connection stayed locked"),
    })
    expect((yield* db.all<{ name: string }>("SELECT name FROM items")).map((r) => r.name)).toEqual(["after"])
  }),
)
