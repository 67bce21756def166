//! Orders blocks with the Malachite Tendermint engine; the only crate that knows the engine.
