//! The deterministic state machine: applies a block's transactions through the modules.
