// The record kinds of the personal-data module that a page may name (`KIND:ID`, see verify/records.js), with the
// forms of their ids. Kept apart, with no imports, so that the verifier can list them while it loads.

/**
 * The record kinds of this module a page may name, with their ids' forms: a citizen's log,
 * records (each with the page's `after`) and bases by their address; a study by number; the emergencies; an agency's
 * retention rules.
 */
export const DATA_KIND_IDS = {
  log: /^[0-9a-f]{40}(:\d{1,20})?$/,
  records: /^[0-9a-f]{40}(:\d{1,20})?$/,
  bases: /^[0-9a-f]{40}$/,
  study: /^[1-9]\d{0,18}$/,
  emergencies: /^all$/,
  retention: /^[a-z0-9][a-z0-9-]{0,63}$/,
};

