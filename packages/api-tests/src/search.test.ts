import { startTestApp } from "./support";
import { searchContract } from "./support/search-contract";

// The same suite runs against OpenSearch in infra-local/parity/search.test.ts.
searchContract(process.env.POLARIS_TEST_PROFILE === "parity" ? "parity profile" : "SQL", () => startTestApp());
