//! Hybrid post-quantum signatures (ML-DSA-65 + Ed25519), hashing and the encrypted keystore.
