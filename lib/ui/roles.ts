// What the dashboard shows each role. The server decides (lib/auth/roles.ts); this only hides links
// and controls a role cannot use, so a viewer never meets a page that answers 403.
export const INVESTIGATE_ROLES: readonly string[] = ["investigator", "admin"];

export const canInvestigate = (role: string | undefined) => role !== undefined && INVESTIGATE_ROLES.includes(role);
