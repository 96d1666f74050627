// The password length rule, shared by the server's check (passwords.ts) and the dashboard's form.
export const MIN_PASSWORD_LENGTH = 12;
