import { compatRoutes } from "@polaris/contract";
import { Compat, Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareList, async ({ userId, query, deps }) => {
  const { list, total } = await Shares.list(deps, userId, query);
  const facts = await Compat.shareFacts(
    deps.db,
    userId,
    list.map((s) => s.identity),
  );
  return {
    list: list.map((s) => ({
      id: facts.get(s.identity)?.id ?? 0,
      identity: s.identity,
      userId,
      repositoryIdentity: s.fileIdentity,
      fileName: s.fileName,
      fileExt: facts.get(s.identity)?.fileExt ?? "",
      fileSize: facts.get(s.identity)?.fileSize ?? 0,
      isDir: s.isDir,
      code: s.code,
      clickNum: s.clickNum,
      expiredTime: s.expiredTime,
      status: s.status,
      createTime: s.createTime,
    })),
    total,
  };
});
