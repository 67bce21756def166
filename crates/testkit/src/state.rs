//! An in-memory state.

use std::collections::BTreeMap;

use publica_types::{StateRead, StateWrite};

/// An in-memory state: a sorted map from key to value, for running a module's calls without a store or a tree.
/// Two states compare equal when they hold the same keys and values, so a test can check that a refused call
/// wrote nothing (`assert_eq!(state, before)`).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct MemoryState(BTreeMap<Vec<u8>, Vec<u8>>);

impl MemoryState {
    /// An empty state.
    pub fn new() -> MemoryState {
        MemoryState::default()
    }

    /// How many keys the state holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the state holds no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every key and its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// The keys that start with `prefix`, in order.
    pub fn keys_with_prefix<'a>(&'a self, prefix: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0.range(prefix.to_vec()..).map(|(k, _)| k.as_slice()).take_while(move |k| k.starts_with(prefix))
    }
}

impl StateRead for MemoryState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).cloned()
    }
}

impl StateWrite for MemoryState {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.0.insert(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.0.remove(&key);
    }
}
