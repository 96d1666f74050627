// Types for eslint.config.mjs, which scripts/lint-boundaries.test.ts imports.
import type { Linter } from "eslint";

export type TBoundary = {
  files: string[];
  except?: string[];
  message: string;
  forbid?: { paths: string[]; packages: string[] };
  allowOnly?: { paths: string[]; packages: string[] };
};
export declare const BOUNDARIES: TBoundary[];
export declare function boundaryBlocks(): Linter.Config[];
declare const config: Linter.Config[];
export default config;
