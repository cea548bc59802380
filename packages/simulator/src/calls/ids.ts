// Identifiers shaped like Telnyx's: call_control_id `v3:<base64url>`, leg and session ids are UUIDs,
// application ids are 19-digit numeric strings.
import { randomBytes, randomUUID } from "node:crypto";

export const uuid = (): string => randomUUID();

export const newCallControlId = (): string => `v3:${randomBytes(24).toString("base64url")}`;

let applicationCounter = 0n;
export const newApplicationId = (): string =>
  (1293384261075731000n + BigInt(Date.now() % 100000) * 1000n + ++applicationCounter).toString();
