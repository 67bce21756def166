//! State proofs and their verification: everything an offline verifier needs, independent of the tree.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::hex::HexHash;
use crate::node::{bit, internal_hash, leaf_hash, shares_prefix, MAX_TREE_DEPTH};
use crate::{key_hash, value_hash, Hash, ProofError, EMPTY_ROOT};

/// The most siblings a proof can have: one per bit of a key hash.
pub const MAX_PROOF_SIBLINGS: usize = MAX_TREE_DEPTH;

/// What terminates a key's path in the tree, at depth `siblings.len()`.
///
/// JSON form: `{"kind": "empty"}` or `{"kind": "leaf", "key_hash": "<64 hex>", "value_hash": "<64 hex>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(try_from = "TerminalJson", into = "TerminalJson")]
pub enum ProofTerminal {
    /// An empty subtree: the key is absent.
    Empty,
    /// A leaf: of the queried key (membership) or of another key on its path (non-membership).
    Leaf {
        /// `SHA-256(key)` of the leaf's key.
        key_hash: Hash,
        /// `SHA-256(value)` of the leaf's value.
        value_hash: Hash,
    },
}

/// The JSON shape of a terminal. A flat struct rather than serde's internally tagged enum, because that one
/// silently accepts unknown fields next to a unit variant, and every JSON proof has exactly one spelling.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TerminalJson {
    kind: TerminalKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_hash: Option<HexHash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_hash: Option<HexHash>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TerminalKind {
    Empty,
    Leaf,
}

impl From<ProofTerminal> for TerminalJson {
    fn from(terminal: ProofTerminal) -> Self {
        match terminal {
            ProofTerminal::Empty => Self { kind: TerminalKind::Empty, key_hash: None, value_hash: None },
            ProofTerminal::Leaf { key_hash, value_hash } => Self {
                kind: TerminalKind::Leaf,
                key_hash: Some(HexHash(key_hash)),
                value_hash: Some(HexHash(value_hash)),
            },
        }
    }
}

impl TryFrom<TerminalJson> for ProofTerminal {
    type Error = &'static str;

    fn try_from(json: TerminalJson) -> Result<Self, Self::Error> {
        match (json.kind, json.key_hash, json.value_hash) {
            (TerminalKind::Empty, None, None) => Ok(ProofTerminal::Empty),
            (TerminalKind::Empty, _, _) => Err("an empty terminal has no key_hash or value_hash"),
            (TerminalKind::Leaf, Some(key_hash), Some(value_hash)) => {
                Ok(ProofTerminal::Leaf { key_hash: key_hash.0, value_hash: value_hash.0 })
            }
            (TerminalKind::Leaf, _, _) => Err("a leaf terminal needs both key_hash and value_hash"),
        }
    }
}

/// Proof that a key maps to a value, or is absent, under a state root.
///
/// JSON form: `{"siblings": ["<64 hex>", ...], "terminal": {"kind": "empty"}}` or
/// `"terminal": {"kind": "leaf", "key_hash": "<64 hex>", "value_hash": "<64 hex>"}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateProof {
    /// Sibling hashes along the path, root end first: `siblings[i]` is the hash of the other child of the path's
    /// node at depth `i`.
    #[borsh(deserialize_with = "deserialize_siblings")]
    #[serde(with = "crate::hex::siblings")]
    siblings: Vec<Hash>,
    /// What terminates the path, at depth `siblings.len()`.
    terminal: ProofTerminal,
}

/// Reads the sibling list, refusing a count above [`MAX_PROOF_SIBLINGS`] before allocating anything.
fn deserialize_siblings<R: borsh::io::Read>(reader: &mut R) -> Result<Vec<Hash>, borsh::io::Error> {
    let count = u32::deserialize_reader(reader)? as usize;
    if count > MAX_PROOF_SIBLINGS {
        return Err(borsh::io::Error::new(
            borsh::io::ErrorKind::InvalidData,
            format!("proof has {count} siblings, more than the {MAX_PROOF_SIBLINGS} allowed"),
        ));
    }
    let mut siblings = Vec::with_capacity(count);
    for _ in 0..count {
        siblings.push(Hash::deserialize_reader(reader)?);
    }
    Ok(siblings)
}

impl StateProof {
    /// Assembles a proof from its parts (for verifiers that received them in another format).
    pub fn new(siblings: Vec<Hash>, terminal: ProofTerminal) -> Result<Self, ProofError> {
        check_sibling_count(siblings.len())?;
        Ok(Self { siblings, terminal })
    }

    /// The sibling hashes along the path, root end first.
    pub fn siblings(&self) -> &[Hash] {
        &self.siblings
    }

    /// What terminates the path.
    pub fn terminal(&self) -> &ProofTerminal {
        &self.terminal
    }

    /// Checks that under `root`, `key` maps to `value` (`Some`) or is absent (`None`).
    pub fn verify(&self, root: &Hash, key: &[u8], value: Option<&[u8]>) -> Result<(), ProofError> {
        let value_hash = value.map(value_hash);
        self.verify_hashed(root, &key_hash(key), value_hash.as_ref())
    }

    /// Checks that under `root`, the key with hash `key_hash` maps to the value with hash `value_hash` (`Some`)
    /// or is absent (`None`).
    pub fn verify_hashed(&self, root: &Hash, key_hash: &Hash, value_hash: Option<&Hash>) -> Result<(), ProofError> {
        check_sibling_count(self.siblings.len())?;
        let depth = self.siblings.len();
        // The terminal must sit on the queried key's path; otherwise the proof speaks of another position.
        if let ProofTerminal::Leaf { key_hash: leaf_key, .. } = &self.terminal {
            if !shares_prefix(leaf_key, key_hash, depth) {
                return Err(ProofError::LeafOffPath { key_hash: *key_hash, leaf_key_hash: *leaf_key, depth });
            }
        }
        let computed = self.root_for(key_hash);
        if computed != *root {
            return Err(ProofError::RootMismatch { expected: *root, computed });
        }
        match (&self.terminal, value_hash) {
            (ProofTerminal::Empty, None) => Ok(()),
            (ProofTerminal::Empty, Some(_)) => Err(ProofError::KeyAbsent { key_hash: *key_hash }),
            (ProofTerminal::Leaf { key_hash: leaf_key, value_hash: leaf_value }, claimed) => {
                match (leaf_key == key_hash, claimed) {
                    (true, Some(claimed)) if claimed == leaf_value => Ok(()),
                    (true, Some(claimed)) => {
                        Err(ProofError::ValueMismatch { key_hash: *key_hash, claimed: *claimed, actual: *leaf_value })
                    }
                    (true, None) => Err(ProofError::KeyPresent { key_hash: *key_hash, value_hash: *leaf_value }),
                    (false, Some(_)) => {
                        Err(ProofError::LeafForAnotherKey { key_hash: *key_hash, leaf_key_hash: *leaf_key })
                    }
                    (false, None) => Ok(()),
                }
            }
        }
    }

    /// Folds the terminal and the siblings up to a root along the bits of `key_hash`.
    fn root_for(&self, key_hash: &Hash) -> Hash {
        let mut current = match &self.terminal {
            ProofTerminal::Empty => EMPTY_ROOT,
            ProofTerminal::Leaf { key_hash, value_hash } => leaf_hash(key_hash, value_hash),
        };
        for (depth, sibling) in self.siblings.iter().enumerate().rev() {
            current =
                if bit(key_hash, depth) { internal_hash(sibling, &current) } else { internal_hash(&current, sibling) };
        }
        current
    }
}

fn check_sibling_count(count: usize) -> Result<(), ProofError> {
    if count > MAX_PROOF_SIBLINGS {
        return Err(ProofError::TooManySiblings { count, max: MAX_PROOF_SIBLINGS });
    }
    Ok(())
}

/// Builds a proof from parts the crate produced itself, which never exceed the sibling limit.
pub(crate) fn assemble(siblings: Vec<Hash>, terminal: ProofTerminal) -> StateProof {
    debug_assert!(siblings.len() <= MAX_PROOF_SIBLINGS);
    StateProof { siblings, terminal }
}
