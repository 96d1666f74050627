// The chain detail kept between rebuilds on SQLite: see detail-state-cases.ts.
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { defineDetailStateTests } from "./detail-state-cases";

await useFreshDatabase();
defineDetailStateTests("sqlite");
