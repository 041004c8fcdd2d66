import { Validator } from "@seriousme/openapi-schema-validator";
import { expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";
import { routeTable } from "./routes";

it("is a valid OpenAPI 3.1 document whose references all resolve, with every route once", async () => {
  const document = buildOpenApiDocument("http://127.0.0.1:8888");
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  // Every $ref names something the document holds (the viewer resolves them, the validator does not check).
  const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) {
    const pointer = ref.slice(8, -1).replace(/^#\//, "").split("/");
    expect(
      pointer.reduce<any>((node, key) => node?.[key], document),
      ref,
    ).toBeDefined();
  }
  const operations = Object.values(document.paths).flatMap((ops) => Object.keys(ops));
  expect(operations).toHaveLength(Object.keys(routeTable).length);
  expect(JSON.stringify(document)).not.toContain(String(Number.MAX_SAFE_INTEGER));
});
