/**
 * The reference documents of the API, as test fixtures: the three seed pages
 * (Devices, Boards, Score Flags) parsed into endpoints, and the public spec.
 *
 * `reference/` holds copies of the shared reference (the spec reformatted by
 * Biome, its content unchanged) so that the tests run on a fresh clone.
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const dir = fileURLToPath(new URL("./reference/", import.meta.url))

/** A JSON value. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** A JSON object. */
export type JsonRecord = { readonly [key: string]: Json }

/** One row of a seed page's "Parameters" table. */
export interface SeedParameter {
  readonly name: string
  readonly in: "query" | "path" | "header" | "body"
  readonly type: string
  readonly required: boolean
  readonly description: string
}

/** One endpoint as a seed page documents it. */
export interface SeedEndpoint {
  readonly page: string
  readonly title: string
  readonly method: "get" | "post" | "patch" | "put" | "delete"
  readonly path: string
  readonly parameters: ReadonlyArray<SeedParameter>
  /** The "Body parameter" example, if the endpoint takes a body. */
  readonly body: JsonRecord | undefined
  /** The "Example responses", by status. */
  readonly examples: ReadonlyMap<number, JsonRecord>
  /** The "Responses" table: status → schema name. */
  readonly responses: ReadonlyMap<number, string>
}

/** Reads the JSON value that starts at the first `{` at or after `from`; returns it and where it ends. */
const readJsonBlock = (text: string, from: number): { value: JsonRecord; end: number } => {
  const start = text.indexOf("{", from)
  if (start === -1) throw new Error(`no JSON block after offset ${from}`)
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      if (char === "\\") i++
      else if (char === '"') inString = false
    } else if (char === '"') inString = true
    else if (char === "{" || char === "[") depth++
    else if (char === "}" || char === "]") {
      depth--
      if (depth === 0) return { value: JSON.parse(text.slice(start, i + 1)) as JsonRecord, end: i + 1 }
    }
  }
  throw new Error(`unterminated JSON block at offset ${start}`)
}

/** The cells of a table row, in either of the pages' two table styles (`a b c` or `| a | b | c |`). */
const cells = (line: string): ReadonlyArray<string> | undefined => {
  if (line.startsWith("|")) {
    const parts = line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim())
    return parts.every((cell) => /^-+$/.test(cell)) ? undefined : parts
  }
  return undefined
}

const parameterRow = (line: string): SeedParameter | undefined => {
  const piped = cells(line)
  const match = piped
    ? [undefined, ...piped]
    : /^(\S+) (query|path|header|body) (\S+) (true|false) (.*)$/.exec(line)?.slice(0)
  if (match === undefined || match.length < 6) return undefined
  const [, name, where, type, required, description] = match
  if (where !== "query" && where !== "path" && where !== "header" && where !== "body") return undefined
  return { name: name!, in: where, type: type!, required: required === "true", description: description! }
}

const responseRow = (line: string): readonly [number, string] | undefined => {
  const piped = cells(line)
  const tokens = piped ?? line.split(" ")
  const status = Number(tokens[0])
  return Number.isInteger(status) && status >= 100 && tokens.length >= 2
    ? [status, tokens[tokens.length - 1]!]
    : undefined
}

/** The lines after the heading `heading` (searched from `from`) up to the first that is not a table row. */
const tableAfter = <Row>(
  lines: ReadonlyArray<string>,
  heading: string,
  from: number,
  to: number,
  row: (line: string) => Row | undefined,
): ReadonlyArray<Row> => {
  const at = lines.findIndex((line, index) => index >= from && index < to && line === heading)
  if (at === -1) return []
  const rows: Array<Row> = []
  let header = true
  for (let index = at + 1; index < to; index++) {
    const line = lines[index]!
    // Blank lines and the piped style's `|---|` separator sit between header and rows.
    if (line === "" || /^\|[-| ]+\|$/.test(line)) continue
    if (header) {
      header = false
      continue
    }
    const parsed = row(line)
    if (parsed === undefined) break
    rows.push(parsed)
  }
  return rows
}

/** Parses one seed page into its endpoints. */
export const parseSeedPage = (page: string, text: string): ReadonlyArray<SeedEndpoint> => {
  const normalized = text.replaceAll("¶", "")
  const lines = normalized.split("\n").map((line) => line.trim())
  const offsets: Array<number> = []
  let offset = 0
  for (const line of normalized.split("\n")) {
    offsets.push(offset)
    offset += line.length + 1
  }
  const heads = lines.flatMap((line, index) => {
    const match = /^(GET|POST|PATCH|PUT|DELETE) (\/v1\/\S*)$/.exec(line)
    return match
      ? [{ index, method: match[1]!.toLowerCase() as SeedEndpoint["method"], path: match[2]! }]
      : []
  })
  return heads.map((head, n) => {
    const end = heads[n + 1]?.index ?? lines.length
    // The title is the last line before the endpoint's code samples.
    let samples = head.index
    while (samples > 0 && lines[samples] !== "import requests") samples--
    let titleIndex = samples - 1
    while (titleIndex > 0 && lines[titleIndex] === "") titleIndex--
    const find = (heading: string) =>
      lines.findIndex((line, index) => index > head.index && index < end && line === heading)
    const bodyAt = find("Body parameter")
    const examplesAt = find("Example responses")
    const responsesAt = find("Responses")
    const examples = new Map<number, JsonRecord>()
    if (examplesAt !== -1) {
      for (let index = examplesAt + 1; index < responsesAt; index++) {
        const match = /^(\d{3}) Response$/.exec(lines[index]!)
        if (match) examples.set(Number(match[1]), readJsonBlock(normalized, offsets[index]!).value)
      }
    }
    return {
      page,
      title: lines[titleIndex] ?? "",
      method: head.method,
      path: head.path,
      parameters: tableAfter(lines, "Parameters", head.index, end, parameterRow),
      body: bodyAt === -1 ? undefined : readJsonBlock(normalized, offsets[bodyAt]!).value,
      examples,
      responses: new Map(tableAfter(lines, "Responses", head.index, end, responseRow)),
    }
  })
}

/** Every endpoint of the three seed pages. */
export const seedEndpoints: ReadonlyArray<SeedEndpoint> = readdirSync(dir)
  .filter((file) => file.endsWith(".txt"))
  .sort()
  .flatMap((file) => parseSeedPage(file, readFileSync(`${dir}${file}`, "utf8")))

/** The seed endpoint `method path`; throws if the pages do not document it. */
export const seedEndpoint = (method: SeedEndpoint["method"], path: string): SeedEndpoint => {
  const found = seedEndpoints.find((endpoint) => endpoint.method === method && endpoint.path === path)
  if (found === undefined) throw new Error(`the seed pages do not document ${method} ${path}`)
  return found
}

/** A JSON Schema as the spec writes it (the subset the tests read). */
export interface SpecSchema {
  readonly $ref?: string
  readonly type?: string
  readonly enum?: ReadonlyArray<Json>
  readonly anyOf?: ReadonlyArray<SpecSchema>
  readonly items?: SpecSchema
  readonly properties?: { readonly [name: string]: SpecSchema }
  readonly required?: ReadonlyArray<string>
  readonly additionalProperties?: boolean | SpecSchema
  readonly format?: string
  readonly default?: Json
  readonly example?: JsonRecord
}

/** An OpenAPI 3.1 document (the subset the tests read). */
export interface SpecDocument {
  readonly paths: {
    readonly [path: string]: {
      readonly [method: string]: {
        readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>
        readonly requestBody?: {
          readonly content: { readonly [type: string]: { readonly schema: SpecSchema } }
        }
        readonly responses: {
          readonly [status: string]: {
            readonly content?: { readonly [type: string]: { readonly schema: SpecSchema } }
          }
        }
      }
    }
  }
  readonly components: { readonly schemas: { readonly [name: string]: SpecSchema } }
}

/** The public spec, read at test time so the tests follow it. */
export const spec: SpecDocument = JSON.parse(
  readFileSync(`${dir}leadr-openapi-0.7.0.json`, "utf8"),
) as SpecDocument

const resolve = (schema: SpecSchema): SpecSchema =>
  schema.$ref === undefined
    ? schema
    : spec.components.schemas[schema.$ref.replace("#/components/schemas/", "")]!

/**
 * Where `value` breaks the spec's schema `name`, as a list of `path: problem`
 * (empty when it conforms). Covers what the spec uses: `$ref`, `anyOf`, `type`,
 * `enum`, `properties`/`required`/`additionalProperties`, `items`, `format: date-time`.
 */
export const specViolations = (name: string, value: unknown): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const check = (schema: SpecSchema, value: unknown, at: string): boolean => {
    const s = resolve(schema)
    const before = problems.length
    if (s.anyOf !== undefined) {
      const matches = s.anyOf.some((option) => {
        const saved = problems.length
        const ok = check(option, value, at)
        problems.length = saved
        return ok
      })
      if (!matches) problems.push(`${at}: matches no anyOf option`)
    }
    if (s.enum !== undefined && !s.enum.includes(value as Json)) problems.push(`${at}: not one of ${s.enum}`)
    switch (s.type) {
      case "null":
        if (value !== null) problems.push(`${at}: not null`)
        break
      case "string":
        if (typeof value !== "string") problems.push(`${at}: not a string`)
        else if (s.format === "date-time" && Number.isNaN(Date.parse(value)))
          problems.push(`${at}: not a date-time`)
        break
      case "boolean":
        if (typeof value !== "boolean") problems.push(`${at}: not a boolean`)
        break
      case "integer":
        if (!Number.isInteger(value)) problems.push(`${at}: not an integer`)
        break
      case "number":
        if (typeof value !== "number") problems.push(`${at}: not a number`)
        break
      case "array":
        if (!Array.isArray(value)) problems.push(`${at}: not an array`)
        else if (s.items !== undefined)
          for (const [index, item] of value.entries()) check(s.items, item, `${at}[${index}]`)
        break
      case "object": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          problems.push(`${at}: not an object`)
          break
        }
        const record = value as Record<string, unknown>
        for (const key of s.required ?? []) if (!(key in record)) problems.push(`${at}.${key}: missing`)
        for (const [key, field] of Object.entries(record)) {
          const property = s.properties?.[key]
          if (property !== undefined) check(property, field, `${at}.${key}`)
          else if (s.additionalProperties === false) problems.push(`${at}.${key}: not allowed`)
        }
        break
      }
    }
    return problems.length === before
  }
  check({ $ref: `#/components/schemas/${name}` }, value, name)
  return problems
}
