import { searchContract } from "../support/search-contract";
import { startOpenSearchApp } from "../support/opensearch-app";

// The suite packages/api-tests/src/search.test.ts runs against SQL, here against OpenSearch fed by the indexer.
searchContract("OpenSearch", () => startOpenSearchApp());
