import { readdir } from "node:fs/promises";
import { expect, it } from "vitest";
import { localFileProblem } from "./errors";

it("says a local file-system refusal in one line: path, reason, code; anything else is not one", async () => {
  const error = await readdir("/no/such/folder/for/polaris").catch((e: unknown) => e);
  expect(localFileProblem(error)).toBe("/no/such/folder/for/polaris: no such file or directory (ENOENT in scandir)");
  expect(localFileProblem(new Error("boom"))).toBeUndefined();
  expect(localFileProblem("EACCES")).toBeUndefined();
});
