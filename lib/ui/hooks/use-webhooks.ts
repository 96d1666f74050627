"use client";
// Outgoing webhooks (admins): the list, making and deleting one, "send test" and a webhook's
// delivery log. The log is polled while something in it is still queued, so a test shows its
// outcome without a reload.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TCreateWebhook, TCreatedWebhook, TWebhookDeliveryPage, TWebhookList, TWebhookTestQueued } from "@/lib/contracts/webhooks";
import { apiGet, apiRequest } from "../fetcher";
import { useMe } from "./use-me";
import { settingsKeys } from "./use-settings";

export type { TCreatedWebhook, TWebhook, TWebhookDelivery, TWebhookEvent } from "@/lib/contracts/webhooks";
export { WEBHOOK_EVENTS } from "@/lib/contracts/webhooks";

export const webhookKeys = {
  all: [...settingsKeys.all, "webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
  deliveries: (id: string) => [...webhookKeys.all, "deliveries", id] as const,
};

const POLL_MS = 1500;

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => apiGet<TWebhookList>("/api/v1/webhooks", signal),
    refetchInterval: (q) => (q.state.data?.items.some((w) => w.queued > 0) ? POLL_MS * 2 : false),
  });
}

export function useWebhookDeliveries(id: string | null) {
  return useQuery({
    queryKey: webhookKeys.deliveries(id ?? ""),
    queryFn: ({ signal }) => apiGet<TWebhookDeliveryPage>(`/api/v1/webhooks/${encodeURIComponent(id!)}/deliveries?limit=50`, signal),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "queued") ? POLL_MS : false),
  });
}

function useWrite() {
  const me = useMe();
  const qc = useQueryClient();
  return { csrfToken: me.data?.csrfToken, refresh: () => qc.invalidateQueries({ queryKey: settingsKeys.all }) };
}

export function useCreateWebhook() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (input: TCreateWebhook) => apiRequest<TCreatedWebhook>("/api/v1/webhooks", { method: "POST", body: input, csrfToken }),
    onSuccess: () => refresh(),
  });
}

export function useDeleteWebhook() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (id: string) => apiRequest<null>(`/api/v1/webhooks/${encodeURIComponent(id)}`, { method: "DELETE", csrfToken }),
    onSuccess: () => refresh(),
  });
}

export function useTestWebhook() {
  const { csrfToken, refresh } = useWrite();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<TWebhookTestQueued>(`/api/v1/webhooks/${encodeURIComponent(id)}/test`, { method: "POST", body: {}, csrfToken }),
    onSuccess: () => refresh(),
  });
}
