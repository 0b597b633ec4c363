/**
 * Accounts and their users: who owns games and API keys.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * @since 0.1.0
 * @category models
 */
export const AccountStatus = Schema.Literal("active", "suspended").annotations({
  identifier: "AccountStatus",
})

/**
 * An account as the service returns it (`AccountResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class Account extends Schema.Class<Account>("AccountResponse")(
  {
    id: Schema.String,
    name: Schema.String,
    slug: Schema.String,
    status: AccountStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  wireName("AccountResponse"),
) {}

/**
 * Body of `POST /v1/accounts`.
 *
 * @since 0.1.0
 * @category models
 */
export class AccountCreateRequest extends Schema.Class<AccountCreateRequest>("AccountCreateRequest")(
  {
    name: Schema.String.pipe(Schema.minLength(2), Schema.maxLength(100)),
    slug: OptionalNullable(Schema.String),
  },
  wireName("AccountCreateRequest"),
) {}

/**
 * Body of `PATCH /v1/accounts/{account_id}`.
 *
 * @since 0.1.0
 * @category models
 */
export class AccountUpdateRequest extends Schema.Class<AccountUpdateRequest>("AccountUpdateRequest")(
  {
    name: OptionalNullable(Schema.String.pipe(Schema.minLength(2), Schema.maxLength(100))),
    slug: OptionalNullable(Schema.String),
    status: OptionalNullable(AccountStatus),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("AccountUpdateRequest"),
) {}

/**
 * @since 0.1.0
 * @category models
 */
export const UserStatus = Schema.Literal("invited", "active", "suspended").annotations({
  identifier: "UserStatus",
})

/**
 * A user of an account (`UserResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class User extends Schema.Class<User>("UserResponse")(
  {
    id: Schema.String,
    account_id: Schema.String,
    email: Schema.String,
    display_name: Schema.String,
    super_admin: Schema.Boolean,
    status: UserStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  wireName("UserResponse"),
) {}

const Email = Schema.String.pipe(
  Schema.pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: () => "value is not a valid email address" }),
)

/**
 * Body of `POST /v1/users`.
 *
 * @since 0.1.0
 * @category models
 */
export class UserCreateRequest extends Schema.Class<UserCreateRequest>("UserCreateRequest")(
  {
    account_id: Schema.String,
    email: Email,
    display_name: Schema.String.pipe(Schema.minLength(2), Schema.maxLength(100)),
  },
  wireName("UserCreateRequest"),
) {}

/**
 * Body of `PATCH /v1/users/{user_id}`.
 *
 * @since 0.1.0
 * @category models
 */
export class UserUpdateRequest extends Schema.Class<UserUpdateRequest>("UserUpdateRequest")(
  {
    email: OptionalNullable(Email),
    display_name: OptionalNullable(Schema.String.pipe(Schema.minLength(2), Schema.maxLength(100))),
    super_admin: OptionalNullable(Schema.Boolean),
    status: OptionalNullable(UserStatus),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("UserUpdateRequest"),
) {}
