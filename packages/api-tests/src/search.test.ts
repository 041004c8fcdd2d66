import { startTestApp } from "./support";
import { searchContract } from "./support/search-contract";

// The same suite runs against OpenSearch in packages/api-tests/src/parity/search.test.ts.
searchContract(process.env.POLARIS_TEST_PROFILE === "parity" ? "parity profile" : "SQL", () => startTestApp());
