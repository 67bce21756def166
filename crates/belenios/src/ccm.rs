//! AES-CCM (RFC 3610, NIST SP 800-38C), as Belenios uses it to encrypt messages between threshold trustees.
//!
//! Belenios encrypts a trustee-to-trustee message with AES-256 in CCM mode: the key and the nonce come from
//! hashes of the ElGamal values (see `trustee.rs`), there is no associated data, and the tag is 8 bytes. The
//! output is the ciphertext followed by the tag. This module implements the generic construction over any
//! 128-bit block cipher, so that it can be checked against the published AES-128 vectors, and the AES-256
//! entry points the trustee protocol uses.
//!
//! # The construction
//!
//! With a nonce N of `15 − L` bytes (L = 2..8 bytes hold the message length), a tag length M (4, 6, … 16)
//! and associated data `a` (possibly empty):
//!
//! * `B0 = flags ‖ N ‖ len(m)` (len(m) big-endian on L bytes), `flags = 64·[a ≠ ∅] + 8·((M − 2)/2) + (L − 1)`.
//! * If `a` is not empty it follows B0, prefixed by its length (2 bytes if `len(a) < 2^16 − 2^8`, else
//!   `0xFF 0xFE` and 4 bytes), zero-padded to a multiple of 16 bytes; then m, zero-padded.
//! * CBC-MAC over these blocks with a zero IV: `X1 = E(B0)`, `X(i+1) = E(Xi ⊕ Bi)`; T = the first M bytes.
//! * Counter blocks `Ai = (L − 1) ‖ N ‖ i` (i big-endian on L bytes). `S_i = E(Ai)`. The ciphertext is
//!   `m ⊕ (S1 ‖ S2 ‖ …)` and the tag sent is `T ⊕ first M bytes of S0`.
//!
//! Decryption recomputes the tag over the decrypted message and compares it in constant time before it
//! returns anything.

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, BlockSizeUser, KeyInit};
use aes::Aes256;
use zeroize::Zeroize;

/// The AES block size.
const BLOCK_BYTES: usize = 16;

/// Why a CCM operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CcmError {
    /// The nonce length must be 7 to 13 bytes (L = 15 − nonce length, from 2 to 8).
    #[error("CCM nonce of {0} bytes: it must have 7 to 13 bytes")]
    NonceLength(usize),
    /// The tag length must be even and from 4 to 16 bytes.
    #[error("CCM tag of {0} bytes: it must be 4, 6, 8, 10, 12, 14 or 16 bytes")]
    TagLength(usize),
    /// The message is too long for the length field the nonce leaves.
    #[error("CCM message of {0} bytes does not fit the length field this nonce leaves")]
    MessageTooLong(usize),
    /// The ciphertext is shorter than the tag.
    #[error("CCM ciphertext shorter than its tag")]
    Truncated,
    /// The tag does not match: the key, nonce or ciphertext is not the one encrypted.
    #[error("CCM authentication tag mismatch")]
    BadTag,
}

/// The length-field size L that Belenios chooses for a message: the smallest of 2, 3 or 4 bytes that holds
/// its length (so a 13-byte nonce for messages under 64 KiB).
pub fn belenios_length_bytes(message_len: usize) -> usize {
    if message_len < 1 << 16 {
        2
    } else if message_len < 1 << 24 {
        3
    } else {
        4
    }
}

/// AES-256-CCM encryption with no associated data: returns `ciphertext ‖ tag`.
pub fn encrypt_aes256(key: &[u8; 32], nonce: &[u8], plaintext: &[u8], tag_len: usize) -> Result<Vec<u8>, CcmError> {
    let cipher = Aes256::new(GenericArray::from_slice(key));
    seal(&cipher, nonce, &[], plaintext, tag_len)
}

/// AES-256-CCM decryption with no associated data of `ciphertext ‖ tag`.
pub fn decrypt_aes256(key: &[u8; 32], nonce: &[u8], sealed: &[u8], tag_len: usize) -> Result<Vec<u8>, CcmError> {
    let cipher = Aes256::new(GenericArray::from_slice(key));
    open(&cipher, nonce, &[], sealed, tag_len)
}

/// CCM encryption over any 128-bit block cipher: returns `ciphertext ‖ tag`.
pub fn seal<C>(cipher: &C, nonce: &[u8], aad: &[u8], plaintext: &[u8], tag_len: usize) -> Result<Vec<u8>, CcmError>
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    let l = check_params(nonce, plaintext.len(), tag_len)?;
    let mut mac = cbc_mac(cipher, nonce, l, aad, plaintext, tag_len);
    let mut out = plaintext.to_vec();
    ctr_xor(cipher, nonce, l, &mut out);
    let s0 = counter_block(cipher, nonce, l, 0);
    for (t, s) in mac.iter_mut().zip(s0.iter()) {
        *t ^= s;
    }
    out.extend_from_slice(&mac[..tag_len]);
    Ok(out)
}

/// CCM decryption over any 128-bit block cipher of `ciphertext ‖ tag`; the plaintext only if the tag matches.
pub fn open<C>(cipher: &C, nonce: &[u8], aad: &[u8], sealed: &[u8], tag_len: usize) -> Result<Vec<u8>, CcmError>
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    if sealed.len() < tag_len {
        return Err(CcmError::Truncated);
    }
    let (body, tag) = sealed.split_at(sealed.len() - tag_len);
    let l = check_params(nonce, body.len(), tag_len)?;
    let mut plain = body.to_vec();
    ctr_xor(cipher, nonce, l, &mut plain);
    let mut mac = cbc_mac(cipher, nonce, l, aad, &plain, tag_len);
    let s0 = counter_block(cipher, nonce, l, 0);
    // The comparison accumulates every byte's difference so that its time does not depend on where the
    // first mismatch is.
    let mut diff = 0u8;
    for i in 0..tag_len {
        diff |= (mac[i] ^ s0[i]) ^ tag[i];
    }
    mac.zeroize();
    if diff != 0 {
        plain.zeroize();
        return Err(CcmError::BadTag);
    }
    Ok(plain)
}

/// Checks the nonce, tag and message lengths and returns L, the size of the length field.
fn check_params(nonce: &[u8], message_len: usize, tag_len: usize) -> Result<usize, CcmError> {
    if !(7..=13).contains(&nonce.len()) {
        return Err(CcmError::NonceLength(nonce.len()));
    }
    if !(4..=16).contains(&tag_len) || !tag_len.is_multiple_of(2) {
        return Err(CcmError::TagLength(tag_len));
    }
    let l = 15 - nonce.len();
    if l < 8 && (message_len as u128) >> (8 * l) != 0 {
        return Err(CcmError::MessageTooLong(message_len));
    }
    Ok(l)
}

/// Encrypts one block in place.
fn encrypt_block<C>(cipher: &C, block: &mut [u8; BLOCK_BYTES])
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    cipher.encrypt_block(GenericArray::from_mut_slice(block));
}

/// `E(Ai)` for the counter block `Ai = (L − 1) ‖ N ‖ i`.
fn counter_block<C>(cipher: &C, nonce: &[u8], l: usize, i: u64) -> [u8; BLOCK_BYTES]
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    let mut a = [0u8; BLOCK_BYTES];
    a[0] = (l - 1) as u8;
    a[1..1 + nonce.len()].copy_from_slice(nonce);
    let counter = i.to_be_bytes();
    // The counter occupies the last L bytes; L ≤ 8 so the u64 covers it.
    a[BLOCK_BYTES - l..].copy_from_slice(&counter[8 - l..]);
    encrypt_block(cipher, &mut a);
    a
}

/// XORs `data` with the key stream `S1 ‖ S2 ‖ …`.
fn ctr_xor<C>(cipher: &C, nonce: &[u8], l: usize, data: &mut [u8])
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    for (i, chunk) in data.chunks_mut(BLOCK_BYTES).enumerate() {
        let mut s = counter_block(cipher, nonce, l, i as u64 + 1);
        for (d, k) in chunk.iter_mut().zip(s.iter()) {
            *d ^= k;
        }
        s.zeroize();
    }
}

/// The CBC-MAC T (all 16 bytes; the caller keeps the first M) over B0, the encoded associated data and the
/// message.
fn cbc_mac<C>(cipher: &C, nonce: &[u8], l: usize, aad: &[u8], message: &[u8], tag_len: usize) -> [u8; BLOCK_BYTES]
where
    C: BlockEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    let mut x = [0u8; BLOCK_BYTES];
    x[0] = (if aad.is_empty() { 0 } else { 64 }) | ((((tag_len - 2) / 2) as u8) << 3) | (l - 1) as u8;
    x[1..1 + nonce.len()].copy_from_slice(nonce);
    let len = (message.len() as u64).to_be_bytes();
    x[BLOCK_BYTES - l..].copy_from_slice(&len[8 - l..]);
    encrypt_block(cipher, &mut x);

    let absorb = |bytes: &[u8], x: &mut [u8; BLOCK_BYTES]| {
        for chunk in bytes.chunks(BLOCK_BYTES) {
            for (xi, b) in x.iter_mut().zip(chunk.iter()) {
                *xi ^= b;
            }
            encrypt_block(cipher, x);
        }
    };
    if !aad.is_empty() {
        // The associated data is prefixed by its encoded length; the pair is padded as one string.
        let mut encoded = Vec::with_capacity(aad.len() + 6);
        if aad.len() < (1 << 16) - (1 << 8) {
            encoded.extend_from_slice(&(aad.len() as u16).to_be_bytes());
        } else {
            encoded.extend_from_slice(&[0xff, 0xfe]);
            encoded.extend_from_slice(&(aad.len() as u32).to_be_bytes());
        }
        encoded.extend_from_slice(aad);
        absorb(&encoded, &mut x);
    }
    absorb(message, &mut x);
    x
}
