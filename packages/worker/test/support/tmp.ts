import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A fresh SQLite file path in its own temp directory. */
export const tempDb = (prefix = "leadr-worker-"): string =>
  join(mkdtempSync(join(tmpdir(), prefix)), "outbox.sqlite")
