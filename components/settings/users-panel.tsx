"use client";
// Dashboard users. Admins cannot change their own role or disable themselves here: the last admin
// would lock everyone out, and another admin can always do it for them.
import { useState } from "react";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-rules";
import { isApiError } from "@/lib/ui/fetcher";
import { useMe } from "@/lib/ui/hooks/use-me";
import { type TUser, type TUserRole, USER_ROLES, useCreateUser, useUpdateUser, useUsers } from "@/lib/ui/hooks/use-settings";
import { IconCheck } from "../ui/icons";
import { Card } from "../ui/page-header";
import { EmptyState, ErrorState, LoadingBlock } from "../ui/states";
import { Time } from "../ui/time";
import { ConfirmDialog, Dialog } from "./dialog";
import { apiErrorMessage, describedBy, EndedStatus, Field, FormError, ROLE_INFO, RoleBadge } from "./form";
import { FreeText } from "@/components/ui/free-text";

const PASSWORD_MIN = MIN_PASSWORD_LENGTH;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function passwordProblem(p: string): string | null {
  if (!p) return "Enter a password.";
  if (p.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters (${p.length} so far).`;
  return null;
}

type TUserFormErrors = { email?: string; password?: string };

function CreateUserForm() {
  const create = useCreateUser();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<TUserRole>("viewer");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<TUserFormErrors>({});
  const [createdEmail, setCreatedEmail] = useState<string | null>(null);

  const conflict = isApiError(create.error) && create.error.status === 409;
  const emailError = errors.email ?? (conflict ? "A user with this email already exists." : undefined);
  // The server also refuses common passwords ("password: is too common …"): shown on the field.
  const serverPasswordError =
    isApiError(create.error) && create.error.status === 400 && create.error.message.startsWith("password:")
      ? create.error.message.replace(/^password:\s*/, "Password ")
      : undefined;
  const passwordError = errors.password ?? serverPasswordError;

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const next: TUserFormErrors = {};
    const trimmed = email.trim();
    if (!trimmed) next.email = "Enter the person’s email address.";
    else if (!EMAIL_RE.test(trimmed)) next.email = "That does not look like an email address.";
    const pw = passwordProblem(password);
    if (pw) next.password = pw;
    setErrors(next);
    setCreatedEmail(null);
    if (next.email || next.password) {
      document.getElementById(next.email ? "user-email" : "user-password")?.focus();
      return;
    }
    create.mutate(
      { email: trimmed, name: name.trim() || undefined, role, password },
      {
        onSuccess: (user) => {
          setCreatedEmail(user.email);
          setEmail("");
          setName("");
          setPassword("");
          setRole("viewer");
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a user" className="space-y-3">
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        <Field id="user-email" label="Email" error={emailError}>
          <input
            id="user-email"
            name="email"
            type="email"
            className="input"
            autoComplete="off"
            value={email}
            aria-invalid={emailError ? true : undefined}
            aria-describedby={describedBy("user-email", { error: emailError })}
            onChange={(e) => {
              setEmail(e.target.value);
              setErrors((x) => ({ ...x, email: undefined }));
              if (conflict) create.reset();
            }}
          />
        </Field>
        <Field id="user-name" label="Name (optional)">
          <input
            id="user-name"
            name="name"
            className="input"
            autoComplete="off"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field id="user-role" label="Role" hint={ROLE_INFO[role].can}>
          <select
            id="user-role"
            name="role"
            className="input"
            value={role}
            aria-describedby="user-role-hint"
            onChange={(e) => setRole(e.target.value as TUserRole)}
          >
            {USER_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_INFO[r].word}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="user-password"
          label="Initial password"
          error={passwordError}
          hint={`At least ${PASSWORD_MIN} characters, not a common password. Share it through a safe channel.`}
        >
          <input
            id="user-password"
            name="password"
            type="password"
            className="input"
            autoComplete="new-password"
            value={password}
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={describedBy("user-password", { hint: !passwordError, error: passwordError })}
            onChange={(e) => {
              setPassword(e.target.value);
              setErrors((x) => ({ ...x, password: undefined }));
              if (serverPasswordError) create.reset();
            }}
          />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn-primary" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add user"}
        </button>
        <span role="status" className="text-sm text-green-800">
          {createdEmail && (
            <span className="inline-flex items-center gap-1">
              <IconCheck size={13} /> Added {createdEmail}. They can sign in now.
            </span>
          )}
        </span>
      </div>
      {!conflict && !serverPasswordError && <FormError error={create.error} what="add the user" />}
    </form>
  );
}

function UserRow({ user, isSelf, onResetPassword, onDisable }: { user: TUser; isSelf: boolean; onResetPassword: () => void; onDisable: () => void }) {
  const update = useUpdateUser();
  const [role, setRole] = useState(user.role);
  const isChanged = role !== user.role;
  const selectId = `role-${user.id}`;

  const saveRole = () => update.mutate({ id: user.id, role: role }, { onSuccess: () => update.reset() });
  return (
    <tr data-user-email={user.email} className={user.disabledAt ? "text-slate-500" : undefined}>
      <td className="max-w-80">
        <span className="block truncate font-medium text-slate-900" title={user.email}>
          {user.email}
          {isSelf && <span className="ml-1.5 text-xs font-normal text-slate-500">(you)</span>}
        </span>
        {user.name && (
          <span className="block truncate text-xs text-slate-500">
            <FreeText value={user.name} />
          </span>
        )}
      </td>
      <td>
        {isSelf ? (
          <RoleBadge role={user.role} />
        ) : (
          <div className="flex flex-wrap items-center gap-1.5">
            <label htmlFor={selectId} className="sr-only">
              Role of {user.email}
            </label>
            <select
              id={selectId}
              className="input w-auto py-1 pr-7 text-[13px]"
              value={role}
              disabled={update.isPending}
              onChange={(e) => {
                setRole(e.target.value as TUserRole);
                update.reset();
              }}
            >
              {USER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_INFO[r].word}
                </option>
              ))}
              {!(USER_ROLES as readonly string[]).includes(user.role) && <option value={user.role}>{user.role}</option>}
            </select>
            {isChanged && (
              <>
                <button type="button" className="btn-primary py-1 text-xs" onClick={saveRole} disabled={update.isPending}>
                  {update.isPending ? "Saving…" : "Save role"}
                </button>
                <button
                  type="button"
                  className="btn-ghost text-xs"
                  onClick={() => {
                    setRole(user.role);
                    update.reset();
                  }}
                  disabled={update.isPending}
                >
                  Cancel
                </button>
              </>
            )}
          </div>
        )}
        {isChanged && !update.isError && (
          <p className="mt-1 max-w-64 text-xs text-slate-500">Saving signs them out; they sign in again with the new role.</p>
        )}
        {update.isError && (
          <p role="alert" className="mt-1 max-w-64 text-xs font-medium text-red-700">
            {apiErrorMessage(update.error, "change this user")}
          </p>
        )}
      </td>
      <td>
        <EndedStatus endedAt={user.disabledAt} endedLabel="Disabled" />
      </td>
      <td className="text-slate-600">
        <Time t={user.createdAt} />
      </td>
      <td>
        <div className="flex justify-end gap-1.5">
          <button type="button" className="btn-secondary whitespace-nowrap" onClick={onResetPassword} aria-label={`Reset password of ${user.email}`}>
            Reset password…
          </button>
          {!isSelf &&
            (user.disabledAt ? (
              <button
                type="button"
                className="btn-secondary"
                onClick={() => update.mutate({ id: user.id, disabled: false })}
                disabled={update.isPending}
                aria-label={`Enable ${user.email}`}
              >
                {update.isPending && update.variables?.disabled === false ? "Enabling…" : "Enable"}
              </button>
            ) : (
              <button type="button" className="btn-secondary text-red-800" onClick={onDisable} aria-label={`Disable ${user.email}`}>
                Disable…
              </button>
            ))}
        </div>
      </td>
    </tr>
  );
}

function ResetPasswordDialog({ user, isSelf, onClose }: { user: TUser | null; isSelf: boolean; onClose: () => void }) {
  const update = useUpdateUser();
  const [password, setPassword] = useState("");
  const [show, setShow] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setPassword("");
    setShow(false);
    setError(null);
    update.reset();
    onClose();
  };
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!user) return;
    const problem = passwordProblem(password);
    setError(problem);
    if (problem) return;
    update.mutate({ id: user.id, password }, { onSuccess: close });
  };
  return (
    <Dialog open={user !== null} title={`Reset the password of ${user?.email ?? ""}`} onClose={close} isBusy={update.isPending}>
      <form onSubmit={onSubmit} noValidate className="space-y-3">
        <p>
          {isSelf
            ? "You will be signed out and sign in again with the new password."
            : "They are signed out everywhere and sign in with the new password."}
        </p>
        <Field id="reset-password" label="New password" error={error} hint={`At least ${PASSWORD_MIN} characters.`}>
          <input
            id="reset-password"
            name="password"
            type={show ? "text" : "password"}
            className="input"
            autoComplete="new-password"
            autoFocus
            value={password}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy("reset-password", { hint: !error, error })}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
          />
        </Field>
        <label className="flex items-center gap-2 text-xs text-slate-600">
          <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} />
          Show the password
        </label>
        <FormError error={update.error} what="reset the password" />
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className="btn-secondary" onClick={close} disabled={update.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Set password"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function UsersPanel() {
  const users = useUsers();
  const me = useMe();
  const disable = useUpdateUser();
  const [resetFor, setResetFor] = useState<TUser | null>(null);
  const [toDisable, setToDisable] = useState<TUser | null>(null);
  const selfId = me.data?.user.id;

  const closeDisable = () => {
    setToDisable(null);
    disable.reset();
  };
  const items = users.data?.items ?? [];
  const disabledCount = items.filter((u) => u.disabledAt).length;

  return (
    <div className="space-y-5">
      <Card title="Add a user">
        <CreateUserForm />
      </Card>
      <Card title={users.data ? `Users (${items.length}${disabledCount ? `, ${disabledCount} disabled` : ""})` : "Users"}>
        {users.isPending ? (
          <LoadingBlock label="Loading users" rows={3} />
        ) : !users.data ? (
          <ErrorState error={users.error} onRetry={() => users.refetch()} compact />
        ) : items.length === 0 ? (
          <EmptyState title="No users">Add the people who read the dashboard above.</EmptyState>
        ) : (
          <div className="-m-4 overflow-x-auto">
            <table className="data-table">
              <caption className="sr-only">Dashboard users</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((u) => (
                  <UserRow
                    key={`${u.id}:${u.role}`}
                    user={u}
                    isSelf={u.id === selfId}
                    onResetPassword={() => setResetFor(u)}
                    onDisable={() => setToDisable(u)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ResetPasswordDialog user={resetFor} isSelf={resetFor?.id === selfId} onClose={() => setResetFor(null)} />
      <ConfirmDialog
        open={toDisable !== null}
        title={`Disable ${toDisable?.email ?? ""}?`}
        confirmLabel="Disable user"
        busyLabel="Disabling…"
        isBusy={disable.isPending}
        error={disable.isError ? apiErrorMessage(disable.error, "disable the user") : null}
        onClose={closeDisable}
        onConfirm={() => toDisable && disable.mutate({ id: toDisable.id, disabled: true }, { onSuccess: closeDisable })}
      >
        <p>They are signed out at once and cannot sign in until an admin enables the account again.</p>
        <p className="text-slate-600">What they did stays in the audit log.</p>
      </ConfirmDialog>
    </div>
  );
}
