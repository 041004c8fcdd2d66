/**
 * Polaris web console. React 19 was chosen because it is the most widely known UI library (any
 * contributor can work on it), its hooks + `useSyncExternalStore` fit the upload manager's
 * external store cleanly, and Vite's official plugin gives a fast build with no extra tooling;
 * the console needs no other UI dependency (plain CSS, hand-written components).
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
