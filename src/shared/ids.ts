// Row ids are UUIDs. An id from a URL or a request body that is not one can name no row, and
// must not reach a `::uuid` cast, where it would fail the statement instead of finding nothing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
