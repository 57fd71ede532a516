// The JSON API with the device's bearer token. A failure to reach the server (no network, a timeout, a
// proxy's 5xx) is a NetworkError: the caller then works from the roster. Everything else is an answer.
import {language} from "./i18n.js";

const TOKEN = "scanner.token";
const TIMEOUT_MS = 5000;

export class NetworkError extends Error {}

export const token = {
  get: () => localStorage.getItem(TOKEN),
  set: (value) => localStorage.setItem(TOKEN, value),
  clear: () => localStorage.removeItem(TOKEN),
};

/** {status, data, retryAfter} for any HTTP answer below 500; NetworkError otherwise. */
export async function call(method, path, {body, bearer = token.get(), timeout = TIMEOUT_MS} = {}) {
  if (!navigator.onLine) throw new NetworkError("offline");
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        "Authorization": `Bearer ${bearer}`,
        "Accept": "application/json",
        "Accept-Language": language(),
        ...(body === undefined ? {} : {"Content-Type": "application/json"}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: "no-store",
      credentials: "omit",
    });
  } catch (error) {
    throw new NetworkError(String(error));
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 500) throw new NetworkError(`HTTP ${response.status}`);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const retryAfter = Number(response.headers.get("Retry-After")) || 0;
  return {status: response.status, data, retryAfter};
}

/** The badge PDF as a Blob (the bearer header cannot go on an iframe's src). */
export async function fetchPdf(path) {
  const response = await fetch(path, {headers: {"Authorization": `Bearer ${token.get()}`,
                                                "Accept-Language": language()}, credentials: "omit"});
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

export const paths = {
  device: () => "/api/v1/device",
  checkins: (slug) => `/api/v1/events/${encodeURIComponent(slug)}/checkins`,
  undo: (slug, entryId) => `/api/v1/events/${encodeURIComponent(slug)}/checkins/${entryId}/undo`,
  search: (slug, q) => `/api/v1/events/${encodeURIComponent(slug)}/checkins/search?q=${encodeURIComponent(q)}`,
  roster: (slug, since) => `/api/v1/events/${encodeURIComponent(slug)}/roster` +
    (since ? `?since=${encodeURIComponent(since)}` : ""),
  walkins: (slug) => `/api/v1/events/${encodeURIComponent(slug)}/walkins`,
};
