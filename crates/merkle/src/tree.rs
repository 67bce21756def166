//! The state tree: an immutable structure with shared nodes, updated by rebuilding touched paths.
//!
//! A tree is either wholly in memory, or BACKED by a node store ([`StateTree::backed`]): then only the nodes it
//! has used lately are in memory, and the rest are read from the store when a change, a read or a proof walks
//! into them. A backed tree keeps at most about [`Residency::budget`] nodes: when it holds more at the start of an
//! [`StateTree::apply`], everything below [`Residency::keep_depth`] is dropped from memory (the top levels, which
//! every path crosses, stay). Roots, proofs and the nodes `apply` returns are the same either way.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::slice::ParallelSliceMut;

use crate::hex::Hex;
use crate::node::{
    bit, hash_node, internal_encoding, is_empty_hash, leaf_encoding, leaf_hash, DecodedNode, MAX_TREE_DEPTH, NODE_LEN,
};
use crate::proof::{assemble, ProofTerminal};
use crate::store::{check_leaf_position, fetch, prove_below};
use crate::{Hash, MerkleError, NodeStore, StateProof, EMPTY_ROOT};

/// One change of a batch: a key hash and its new value hash, or `None` to delete the key.
type Change = (Hash, Option<Hash>);

/// A new node for the store: its hash and its encoding.
type NewNode = (Hash, [u8; NODE_LEN]);

/// Batches smaller than this are applied on one thread: splitting work costs more than it saves.
const PARALLEL_CHANGES_MIN: usize = 2048;

/// Only the top levels fork into parallel tasks; 2^6 tasks keep every core busy without drowning in overhead.
const MAX_PARALLEL_DEPTH: usize = 6;

/// A subtree in canonical shape. An `Internal` always holds at least two keys, so an internal node never has an
/// empty child next to a leaf child, nor two empty children.
#[derive(Clone)]
enum Subtree {
    Empty,
    Leaf(Arc<Leaf>),
    Internal(Arc<Internal>),
    /// A non-empty subtree not in memory, with this hash: its nodes are in the tree's backing store.
    Stored(Hash),
}

/// A leaf. Its hash is not cached: it costs one SHA-256 to recompute and would add a third of the leaf's memory.
struct Leaf {
    key_hash: Hash,
    value_hash: Hash,
}

struct Internal {
    left: Subtree,
    right: Subtree,
    /// Cached `SHA-256(0x01 || left || right)`, so that unchanged subtrees are never rehashed.
    hash: Hash,
}

impl Subtree {
    fn hash(&self) -> Hash {
        match self {
            Subtree::Empty => EMPTY_ROOT,
            Subtree::Leaf(leaf) => leaf_hash(&leaf.key_hash, &leaf.value_hash),
            Subtree::Internal(node) => node.hash,
            Subtree::Stored(hash) => *hash,
        }
    }

    /// Whether two subtrees are the same shared node (not merely equal).
    fn same(&self, other: &Subtree) -> bool {
        match (self, other) {
            (Subtree::Empty, Subtree::Empty) => true,
            (Subtree::Leaf(a), Subtree::Leaf(b)) => Arc::ptr_eq(a, b),
            (Subtree::Internal(a), Subtree::Internal(b)) => Arc::ptr_eq(a, b),
            (Subtree::Stored(a), Subtree::Stored(b)) => a == b,
            _ => false,
        }
    }
}

/// The current state tree.
///
/// Cloning is O(1): clones share all nodes, and [`StateTree::apply`] builds new nodes only along the changed
/// paths, so a block can be executed speculatively on a clone and thrown away.
#[derive(Clone)]
pub struct StateTree {
    root: Subtree,
    len: usize,
    backing: Option<Arc<Backing>>,
}

/// How much of a backed tree stays in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Residency {
    /// Nodes held in memory above which the tree drops what lies below `keep_depth`.
    pub budget: usize,
    /// Depth from which nodes are dropped (the levels above stay: at most `2^keep_depth` nodes each).
    pub keep_depth: usize,
    /// Node encodings read from the store kept for the next reads (proofs among them), at most.
    pub cached: usize,
}

impl Default for Residency {
    /// About 2 million nodes in the tree (some 200 MB), the top 16 levels kept, and a million nodes read (some
    /// 130 MB) cached.
    fn default() -> Self {
        Self { budget: 1 << 21, keep_depth: 16, cached: 1 << 20 }
    }
}

/// The store a backed tree reads its nodes from, a cache of the nodes read, and a count of the nodes the tree
/// brought into memory.
struct Backing {
    store: Arc<dyn NodeStore + Send + Sync>,
    cache: NodeCache,
    residency: Residency,
    /// Nodes loaded or created since the tree was last trimmed (an upper bound of what clones hold).
    resident: AtomicUsize,
}

/// A shard of a [`NodeCache`].
type CacheShard = std::sync::Mutex<std::collections::HashMap<Hash, [u8; NODE_LEN]>>;

/// Node encodings read from the store, shared by every clone of a tree and by its readers: proofs walk the same
/// top levels again and again, and a proof does not bring nodes into the tree itself (the committed tree is shared
/// and immutable). Bounded: a shard that reaches its share of the capacity is emptied.
struct NodeCache {
    shards: Vec<CacheShard>,
    shard_capacity: usize,
}

/// Shards of a [`NodeCache`], so that readers on several cores seldom wait for each other.
const CACHE_SHARDS: usize = 64;

impl NodeCache {
    fn new(capacity: usize) -> Self {
        let shards = (0..CACHE_SHARDS).map(|_| Default::default()).collect();
        Self { shards, shard_capacity: capacity.div_ceil(CACHE_SHARDS).max(1) }
    }

    fn shard(&self, hash: &Hash) -> &CacheShard {
        // Node hashes are SHA-256 outputs: any byte spreads them evenly.
        &self.shards[hash[0] as usize % CACHE_SHARDS]
    }
}

impl NodeStore for Backing {
    fn get_node(&self, hash: &Hash) -> Result<Option<[u8; NODE_LEN]>, MerkleError> {
        let shard = self.cache.shard(hash);
        if let Some(encoding) = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(hash) {
            return Ok(Some(*encoding));
        }
        let Some(encoding) = self.store.get_node(hash)? else { return Ok(None) };
        let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if shard.len() >= self.cache.shard_capacity {
            shard.clear();
        }
        shard.insert(*hash, encoding);
        Ok(Some(encoding))
    }
}

impl Backing {
    /// Read the node `hash` at `depth` into memory: a leaf, or an internal node whose children are stored.
    fn expand(&self, hash: &Hash, depth: usize) -> Subtree {
        let node = fetch(self, hash, depth)
            .unwrap_or_else(|e| panic!("the state tree cannot read its node {} at depth {depth}: {e}", Hex(hash)));
        self.resident.fetch_add(1, Ordering::Relaxed);
        match node {
            DecodedNode::Leaf { key_hash, value_hash } => Subtree::Leaf(Arc::new(Leaf { key_hash, value_hash })),
            DecodedNode::Internal { left, right } => {
                let child = |h: Hash| if is_empty_hash(&h) { Subtree::Empty } else { Subtree::Stored(h) };
                Subtree::Internal(Arc::new(Internal { left: child(left), right: child(right), hash: *hash }))
            }
        }
    }
}

/// Expand a stored subtree through the tree's backing; a tree without one has no stored subtrees.
fn expand(backing: Option<&Backing>, hash: &Hash, depth: usize) -> Subtree {
    backing.expect("a stored subtree in a tree without a backing store").expand(hash, depth)
}

impl Default for StateTree {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for StateTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateTree").field("root", &Hex(&self.root()).to_string()).field("len", &self.len).finish()
    }
}

/// What one branch of a batch produced besides its subtree.
#[derive(Default)]
struct BatchOutput {
    nodes: Vec<NewNode>,
    keys_added: usize,
    keys_removed: usize,
}

impl BatchOutput {
    fn merge(&mut self, other: BatchOutput) {
        self.nodes.extend(other.nodes);
        self.keys_added += other.keys_added;
        self.keys_removed += other.keys_removed;
    }

    fn new_leaf(&mut self, key_hash: Hash, value_hash: Hash) -> Subtree {
        let encoding = leaf_encoding(&key_hash, &value_hash);
        self.nodes.push((hash_node(&encoding), encoding));
        Subtree::Leaf(Arc::new(Leaf { key_hash, value_hash }))
    }

    /// Joins two children (at `depth + 1`) into their parent, collapsing to keep the canonical shape. A stored
    /// child next to an empty one is read, since it collapses if it is a leaf.
    fn join(&mut self, left: Subtree, right: Subtree, depth: usize, backing: Option<&Backing>) -> Subtree {
        let (left, right) = match (&left, &right) {
            (Subtree::Stored(hash), Subtree::Empty) => (expand(backing, hash, depth + 1), right),
            (Subtree::Empty, Subtree::Stored(hash)) => (left, expand(backing, hash, depth + 1)),
            _ => (left, right),
        };
        match (&left, &right) {
            (Subtree::Empty, Subtree::Empty) => Subtree::Empty,
            (Subtree::Leaf(_), Subtree::Empty) => left,
            (Subtree::Empty, Subtree::Leaf(_)) => right,
            _ => {
                let encoding = internal_encoding(&left.hash(), &right.hash());
                let hash = hash_node(&encoding);
                self.nodes.push((hash, encoding));
                Subtree::Internal(Arc::new(Internal { left, right, hash }))
            }
        }
    }
}

impl StateTree {
    /// The empty tree; its root is [`EMPTY_ROOT`].
    pub fn new() -> Self {
        Self { root: Subtree::Empty, len: 0, backing: None }
    }

    /// The tree of `root`, holding `len` keys, whose nodes are in `store` and are read from it when needed (see
    /// the module documentation). Every node read is checked against its hash; a node missing from the store, or
    /// a failing store, is fatal (panics), as the tree can then answer nothing truthfully. Every node of the trees
    /// this one is applied to must be in `store` (the nodes [`StateTree::apply`] returns must be added to it
    /// before the tree it produced is applied to in turn).
    pub fn backed(root: Hash, len: usize, store: Arc<dyn NodeStore + Send + Sync>, residency: Residency) -> Self {
        let root = if is_empty_hash(&root) { Subtree::Empty } else { Subtree::Stored(root) };
        let backing =
            Backing { store, cache: NodeCache::new(residency.cached), residency, resident: AtomicUsize::new(0) };
        Self { root, len, backing: Some(Arc::new(backing)) }
    }

    /// Whether the tree reads its nodes from a store.
    pub fn is_backed(&self) -> bool {
        self.backing.is_some()
    }

    /// Nodes held in memory (a full walk of what is resident: for tests and measurements).
    pub fn resident_nodes(&self) -> usize {
        fn count(node: &Subtree) -> usize {
            match node {
                Subtree::Empty | Subtree::Stored(_) => 0,
                Subtree::Leaf(_) => 1,
                Subtree::Internal(internal) => 1 + count(&internal.left) + count(&internal.right),
            }
        }
        count(&self.root)
    }

    /// Drop from memory what lies at or below the backing's `keep_depth` (a backed tree only).
    fn trim(&mut self) {
        let Some(backing) = &self.backing else { return };
        let keep_depth = backing.residency.keep_depth;
        let mut kept = 0;
        self.root = trim_subtree(&self.root, 0, keep_depth, &mut kept);
        backing.resident.store(kept, Ordering::Relaxed);
    }

    /// The state root.
    pub fn root(&self) -> Hash {
        self.root.hash()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value hash stored for this key hash, if any.
    pub fn get(&self, key_hash: &Hash) -> Option<Hash> {
        let mut node = &self.root;
        let mut depth = 0;
        loop {
            match node {
                Subtree::Stored(hash) => {
                    return match *self.prove_stored(hash, depth, Vec::new(), key_hash).terminal() {
                        ProofTerminal::Leaf { key_hash: found, value_hash } if found == *key_hash => Some(value_hash),
                        _ => None,
                    };
                }
                Subtree::Empty => return None,
                Subtree::Leaf(leaf) => return (leaf.key_hash == *key_hash).then_some(leaf.value_hash),
                Subtree::Internal(internal) => {
                    node = if bit(key_hash, depth) { &internal.right } else { &internal.left };
                    depth += 1;
                }
            }
        }
    }

    /// Applies a batch of changes (`None` deletes the key). Keys may repeat: the last change wins.
    ///
    /// The changes are sorted and each touched path is rebuilt once; the top levels are rebuilt in parallel.
    /// Returns the nodes this batch created, `(hash, encoding)`, which a [`NodeStore`] must add to hold the new
    /// root: every returned node is part of the new tree and was not part of the old one. A node may have
    /// existed under an older root (a key deleted and inserted again), so stores must accept re-inserts.
    pub fn apply(&mut self, mut changes: Vec<(Hash, Option<Hash>)>) -> Vec<(Hash, [u8; 65])> {
        // A stable sort keeps repeated keys in their given order, so keeping the last of each run is "last wins".
        if changes.len() >= PARALLEL_CHANGES_MIN {
            changes.par_sort_by_key(|change| change.0);
        } else {
            changes.sort_by_key(|change| change.0);
        }
        // `dedup_by` passes (later, kept); copying the later change into the kept slot keeps the last one.
        changes.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                *kept = *later;
            }
            same
        });

        if let Some(backing) = &self.backing {
            if backing.resident.load(Ordering::Relaxed) > backing.residency.budget {
                self.trim();
            }
        }
        let mut out = BatchOutput::default();
        let backing = self.backing.clone();
        self.root = apply_subtree(&self.root, 0, &changes, &mut out, backing.as_deref());
        if let Some(backing) = &backing {
            backing.resident.fetch_add(out.nodes.len(), Ordering::Relaxed);
        }
        debug_assert!(self.len + out.keys_added >= out.keys_removed);
        self.len = self.len + out.keys_added - out.keys_removed;
        out.nodes
    }

    /// A proof of membership or non-membership for `key_hash` under [`StateTree::root`].
    pub fn prove(&self, key_hash: &Hash) -> StateProof {
        let mut siblings = Vec::new();
        let mut node = &self.root;
        let mut depth = 0;
        loop {
            match node {
                Subtree::Stored(hash) => return self.prove_stored(hash, depth, siblings, key_hash),
                Subtree::Empty => return assemble(siblings, ProofTerminal::Empty),
                Subtree::Leaf(leaf) => {
                    let terminal = ProofTerminal::Leaf { key_hash: leaf.key_hash, value_hash: leaf.value_hash };
                    return assemble(siblings, terminal);
                }
                Subtree::Internal(internal) => {
                    let (next, sibling) = if bit(key_hash, depth) {
                        (&internal.right, &internal.left)
                    } else {
                        (&internal.left, &internal.right)
                    };
                    siblings.push(sibling.hash());
                    node = next;
                    depth += 1;
                }
            }
        }
    }

    /// The rest of a proof from a stored subtree, read from the backing store.
    fn prove_stored(&self, hash: &Hash, depth: usize, siblings: Vec<Hash>, key_hash: &Hash) -> StateProof {
        let backing = self.backing.as_ref().expect("a stored subtree in a tree without a backing store");
        prove_below(*hash, depth, siblings, key_hash, backing.as_ref()).unwrap_or_else(|e| {
            panic!("the state tree cannot read its nodes below {} at depth {depth}: {e}", Hex(hash))
        })
    }

    /// Rebuilds the in-memory tree from a content-addressed node store, starting at `root`. Every node's hash and
    /// its place in the canonical shape are checked while loading.
    pub fn load(root: Hash, store: &impl NodeStore) -> Result<Self, MerkleError> {
        let mut len = 0;
        let root = load_subtree(store, root, 0, EMPTY_ROOT, &mut len)?;
        Ok(Self { root, len, backing: None })
    }
}

/// The subtree at `depth` with everything at or below `keep_depth` replaced by its hash; `kept` counts the nodes
/// left in memory.
fn trim_subtree(node: &Subtree, depth: usize, keep_depth: usize, kept: &mut usize) -> Subtree {
    match node {
        Subtree::Empty | Subtree::Stored(_) => node.clone(),
        _ if depth >= keep_depth => Subtree::Stored(node.hash()),
        Subtree::Leaf(_) => {
            *kept += 1;
            node.clone()
        }
        Subtree::Internal(internal) => {
            *kept += 1;
            let left = trim_subtree(&internal.left, depth + 1, keep_depth, kept);
            let right = trim_subtree(&internal.right, depth + 1, keep_depth, kept);
            if left.same(&internal.left) && right.same(&internal.right) {
                return node.clone();
            }
            Subtree::Internal(Arc::new(Internal { left, right, hash: internal.hash }))
        }
    }
}

/// Applies sorted, distinct `changes` (all under this subtree's path) to the subtree at `depth`.
fn apply_subtree(
    node: &Subtree,
    depth: usize,
    changes: &[Change],
    out: &mut BatchOutput,
    backing: Option<&Backing>,
) -> Subtree {
    if changes.is_empty() {
        return node.clone();
    }
    match node {
        Subtree::Internal(internal) => {
            let (left, right) = apply_children(&internal.left, &internal.right, depth, changes, out, backing);
            if left.same(&internal.left) && right.same(&internal.right) {
                // Every change was a no-op (same value, or deletion of an absent key): keep the shared node.
                return node.clone();
            }
            out.join(left, right, depth, backing)
        }
        Subtree::Empty => apply_small(None, depth, changes, out, backing),
        Subtree::Leaf(leaf) => apply_small(Some(leaf), depth, changes, out, backing),
        Subtree::Stored(hash) => {
            let expanded = expand(backing, hash, depth);
            let applied = apply_subtree(&expanded, depth, changes, out, backing);
            // Unchanged, it stays in the store rather than in memory.
            if applied.same(&expanded) {
                node.clone()
            } else {
                applied
            }
        }
    }
}

/// Applies changes to a subtree that is empty or a single leaf (`existing`).
fn apply_small(
    existing: Option<&Arc<Leaf>>,
    depth: usize,
    changes: &[Change],
    out: &mut BatchOutput,
    backing: Option<&Backing>,
) -> Subtree {
    let inserts = changes.iter().filter(|change| change.1.is_some()).count();
    let existing_change = existing.and_then(|leaf| {
        changes.binary_search_by(|change| change.0.cmp(&leaf.key_hash)).ok().map(|index| changes[index].1)
    });
    let existing_kept = existing.is_some() && existing_change.is_none();
    let keys_after = inserts + usize::from(existing_kept);

    if keys_after >= 2 {
        // At least two keys remain below: this position becomes an internal node; push the leaf down one level.
        debug_assert!(depth < MAX_TREE_DEPTH, "two distinct key hashes share all 256 bits");
        let (left, right) = match existing {
            Some(leaf) if bit(&leaf.key_hash, depth) => (Subtree::Empty, Subtree::Leaf(leaf.clone())),
            Some(leaf) => (Subtree::Leaf(leaf.clone()), Subtree::Empty),
            None => (Subtree::Empty, Subtree::Empty),
        };
        let (left, right) = apply_children(&left, &right, depth, changes, out, backing);
        return out.join(left, right, depth, backing);
    }

    // At most one key remains: every change under this position is accounted for here, exactly once.
    match existing_change {
        Some(Some(_)) => out.keys_added += inserts - 1,
        Some(None) => {
            out.keys_removed += 1;
            out.keys_added += inserts;
        }
        None => out.keys_added += inserts,
    }
    if let (Some(leaf), true) = (existing, existing_kept) {
        return Subtree::Leaf(leaf.clone());
    }
    let Some((key_hash, Some(value_hash))) = changes.iter().find(|change| change.1.is_some()).copied() else {
        return Subtree::Empty;
    };
    match existing {
        // Writing the value a key already has changes nothing: keep the shared leaf and emit no node.
        Some(leaf) if leaf.key_hash == key_hash && leaf.value_hash == value_hash => Subtree::Leaf(leaf.clone()),
        _ => out.new_leaf(key_hash, value_hash),
    }
}

/// Splits the changes by the bit at `depth` and applies each half to its child, in parallel near the root.
fn apply_children(
    left: &Subtree,
    right: &Subtree,
    depth: usize,
    changes: &[Change],
    out: &mut BatchOutput,
    backing: Option<&Backing>,
) -> (Subtree, Subtree) {
    let split = changes.partition_point(|change| !bit(&change.0, depth));
    let (left_changes, right_changes) = changes.split_at(split);
    if depth < MAX_PARALLEL_DEPTH && changes.len() >= PARALLEL_CHANGES_MIN {
        let mut right_out = BatchOutput::default();
        let (new_left, new_right) = rayon::join(
            || apply_subtree(left, depth + 1, left_changes, out, backing),
            || apply_subtree(right, depth + 1, right_changes, &mut right_out, backing),
        );
        out.merge(right_out);
        (new_left, new_right)
    } else {
        let new_left = apply_subtree(left, depth + 1, left_changes, out, backing);
        let new_right = apply_subtree(right, depth + 1, right_changes, out, backing);
        (new_left, new_right)
    }
}

/// Loads the subtree with hash `hash` at `depth`; `path` holds the bits chosen so far (the rest are zero).
fn load_subtree(
    store: &impl NodeStore,
    hash: Hash,
    depth: usize,
    path: Hash,
    len: &mut usize,
) -> Result<Subtree, MerkleError> {
    if is_empty_hash(&hash) {
        return Ok(Subtree::Empty);
    }
    match fetch(store, &hash, depth)? {
        DecodedNode::Leaf { key_hash, value_hash } => {
            check_leaf_position(&hash, &key_hash, &path, depth)?;
            *len += 1;
            Ok(Subtree::Leaf(Arc::new(Leaf { key_hash, value_hash })))
        }
        DecodedNode::Internal { left, right } => {
            if depth == MAX_TREE_DEPTH {
                return Err(MerkleError::MalformedNode {
                    hash,
                    depth,
                    reason: "internal node below the deepest possible level",
                });
            }
            let mut right_path = path;
            right_path[depth >> 3] |= 0x80 >> (depth & 7);
            let left = load_subtree(store, left, depth + 1, path, len)?;
            let right = load_subtree(store, right, depth + 1, right_path, len)?;
            let collapsible = matches!(
                (&left, &right),
                (Subtree::Empty, Subtree::Empty)
                    | (Subtree::Empty, Subtree::Leaf(_))
                    | (Subtree::Leaf(_), Subtree::Empty)
            );
            if collapsible {
                return Err(MerkleError::MalformedNode {
                    hash,
                    depth,
                    reason: "internal node holding fewer than two keys (the canonical shape collapses it)",
                });
            }
            Ok(Subtree::Internal(Arc::new(Internal { left, right, hash })))
        }
    }
}
