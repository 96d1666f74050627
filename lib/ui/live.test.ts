import { describe, expect, it } from "vitest";
import { liveState } from "./live";

describe("liveState", () => {
  const ok = { isError: false, isFetching: false, isHidden: false, isOnline: true };
  it("is live only while polling succeeds and goes on", () => {
    expect(liveState(ok)).toBe("live");
    expect(liveState({ ...ok, isFetching: true })).toBe("updating");
  });
  it("pauses while the tab is hidden", () => {
    expect(liveState({ ...ok, isHidden: true })).toBe("paused");
  });
  it("says not updating once a poll failed or the browser is offline, whatever else holds", () => {
    expect(liveState({ ...ok, isError: true, isFetching: true })).toBe("offline");
    expect(liveState({ ...ok, isOnline: false })).toBe("offline");
  });
});
