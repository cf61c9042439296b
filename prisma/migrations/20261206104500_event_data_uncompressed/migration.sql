-- An event's data and payload out of line and never compressed (not expressible in schema.prisma;
-- the drift check lists column storage). A member batch's audit data and outbox payload each
-- carry up to 100 user ids (about 4 KB): past the 2 KB toast threshold, so PostgreSQL ran pglz
-- over both rows of every batch, and ids in hex do not compress: pglz gave up and the rows were
-- stored as they were, after spending more CPU than the insert itself (docs/decisions.md, "Event
-- rows stored without compression"). Smaller rows stay inline, as before.
ALTER TABLE "audit_events" ALTER COLUMN "data" SET STORAGE EXTERNAL;
ALTER TABLE "outbox_events" ALTER COLUMN "payload" SET STORAGE EXTERNAL;
