import { compatRoutes, type FileItem } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

const info = ({ identity, name, ext, size, isDir }: FileItem) => ({ identity, name, ext, size, isDir });

export const handler = httpHandler(compatRoutes.shareDetail, async ({ query, clientAddress, deps }) => {
  const share = await Shares.detail(deps, { identity: query.identity, code: query.code, page: 1, pageSize: 1000, clientAddress });
  return {
    file: info(share.file),
    sharerName: share.sharerName,
    expiredTime: share.expiredTime,
    children: "children" in share ? share.children.map(info) : [],
  };
});
