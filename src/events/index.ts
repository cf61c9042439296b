// The event catalogue: what the bridge records (audit actions) and tells the downstream
// application (outbox events), declared once, written through emit() or eventsCte().
export * from "./objects";
export * from "./outbox-types";
export * from "./audit-actions";
export { emit, type EmitInput } from "./emit";
export {
  eventsCte,
  eventTypeOf,
  groupObjectSql,
  memberCountSql,
  userObjectColumns,
  userObjectSql,
  type EventRows,
} from "./sql";
export { auditRowSchema, checkAuditRow, checkOutboxRow, type RowProblem } from "./check-rows";
export { envelopeOf, envelopeSchema, type Envelope, type OutboxRow } from "./envelope";
