// The S3 conformance suite (./conformance.ts) against the embedded object store, where every rule
// must hold; with POLARIS_TEST_S3_MOTO_ENDPOINT set (the "s3 (moto)" pass of `npm test`), against
// moto instead, printing where moto differs.
import { conformance, embeddedTarget, motoTarget } from "./conformance";

const moto = process.env.POLARIS_TEST_S3_MOTO_ENDPOINT;

conformance(moto ? `moto at ${moto}` : "embedded store", moto ? () => motoTarget(moto) : embeddedTarget);
