//! Transactions, blocks, headers and identifiers, with a canonical size-limited codec; no I/O.
