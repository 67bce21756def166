//! Assembles a node: admission, mempool, consensus, execution, storage, configuration.
