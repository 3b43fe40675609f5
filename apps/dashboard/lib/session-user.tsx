"use client";
// The signed-in user as the root layout read it from the session, for the client components: the header's user menu
// and what a role may see. Hiding is a courtesy: the service refuses what a role may not do anyway.
import { createContext, useContext, type ReactNode } from "react";
import { roleAtLeast, type Role } from "@bdi/core/auth/roles";

export type ClientUser = { username: string; role: Role; displayName: string | null };

const SessionUserContext = createContext<ClientUser | null>(null);

export function SessionUserProvider({ user, children }: { user: ClientUser | null; children: ReactNode }) {
  return <SessionUserContext.Provider value={user}>{children}</SessionUserContext.Provider>;
}

export function useSessionUser(): ClientUser | null {
  return useContext(SessionUserContext);
}

/** Whether the signed-in user's role includes `role`. */
export function useCan(role: Role): boolean {
  const u = useContext(SessionUserContext);
  return !!u && roleAtLeast(u.role, role);
}
