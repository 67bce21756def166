//! The procurement kit: what key holders and bidders run on their own machines, around the ledger's procurement
//! module (`docs/procurement.md`). Each function returns the call the ledger takes; nothing here prints, and only
//! the functions named `fetch_…` talk to a node.
//!
//! - **Key holders** ([`KeyHolder`], saved as a [`HolderKey`] file): [`KeyHolder::registration`] (the encryption
//!   key, with its proof), [`KeyHolder::deal`] (once every holder registered), [`KeyHolder::check_deals`] (each
//!   dealer's share to this holder, and a complaint for every bad one), [`KeyHolder::take_share`] (the holder's share
//!   of the finished key, checked against its verification key) and [`KeyHolder::decryption_shares`] (for a tender's
//!   bids after its opening time).
//! - **Bidders**: [`seal_bid`] seals a bid's content to the tender's key for one company.
//!
//! A holder's secrets (its encryption secret, then its share of the sealing key) never leave its key file, which is
//! sealed to a lock key encrypted under the holder's passphrase, as a trustee's key file is (`election`).

use std::path::Path;

use anyhow::{anyhow, bail, ensure, Context, Result};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use publica_crypto::keystore::{self, KdfParams, KeyFile};
use publica_crypto::seal::{self, Sealed};
use publica_crypto::threshold::{self, Complaint, Deal, EncryptionSecret, Point, SealedBox, SecretScalar};
use publica_crypto::{Keypair, PublicKey};
use publica_procurement::call::{
    bid_aad, key_context, BidContent, BidShare, ProcurementCall, MAX_SEALED_BID_BYTES, MAX_SHARES_PER_CALL,
};
use publica_procurement::schema::{self, Bid, KeyStage, SealingKey, Tender};
use publica_types::{codec, Address, ChainId, RecordId};

use crate::http::Client;

/// The version of the holder key files this program writes and reads.
pub const HOLDER_KEY_VERSION: u32 = 1;

/// A key holder's key file, as saved: what it is for in clear, its secrets sealed to `lock`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderKey {
    /// [`HOLDER_KEY_VERSION`].
    pub version: u32,
    /// The network.
    pub chain_id: ChainId,
    /// The sealing key's number on the ledger.
    pub sealing_key: u64,
    /// The holder's number in it, from 1.
    pub holder: u16,
    /// The holder's account, which signs its transactions.
    pub account: Address,
    /// The holder's encryption key (public).
    pub encryption_key: Point,
    /// The holder's verification key, once its share is taken.
    pub verification_key: Option<Point>,
    /// The keystore file (argon2id, XChaCha20-Poly1305) of the key the secrets are sealed to.
    pub lock: serde_json::Value,
    /// The secrets, sealed to `lock`'s key under a context naming the chain, the key, the holder and its account.
    pub secrets: Sealed,
}

/// The secret part of a holder key.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolderSecrets {
    /// The encryption secret, 32 bytes hex.
    encryption: String,
    /// The share of the sealing key, 32 bytes hex, once taken.
    share: Option<String>,
}

impl Drop for HolderSecrets {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.encryption.zeroize();
        self.share.zeroize();
    }
}

impl HolderKey {
    /// Read a holder key file.
    pub fn load(path: &Path) -> Result<HolderKey> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let key: HolderKey =
            serde_json::from_str(&text).with_context(|| format!("{} is not a holder key file", path.display()))?;
        ensure!(
            key.version == HOLDER_KEY_VERSION,
            "holder key file {} has version {}; this program reads version {HOLDER_KEY_VERSION}",
            path.display(),
            key.version
        );
        Ok(key)
    }

    /// Save the key file, replacing an older version of the same key (same sealing key, holder and lock) and
    /// refusing to replace any other file.
    pub fn save(&self, path: &Path) -> Result<()> {
        if path.exists() {
            let old = HolderKey::load(path).with_context(|| {
                format!("{} exists and is not a holder key file; choose another path", path.display())
            })?;
            ensure!(
                old.chain_id == self.chain_id
                    && old.sealing_key == self.sealing_key
                    && old.holder == self.holder
                    && old.lock == self.lock,
                "{} holds another holder key (sealing key {}, holder {}); it is never overwritten",
                path.display(),
                old.sealing_key,
                old.holder
            );
        }
        let text = serde_json::to_string_pretty(self).context("encoding the holder key")?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }

    fn context(&self) -> String {
        format!(
            "publica/holder-key/v1\0{}\0{}\0{}\0{}",
            self.chain_id.as_str(),
            self.sealing_key,
            self.holder,
            self.account
        )
    }
}

/// A key holder's key, opened.
pub struct KeyHolder {
    public: HolderKey,
    lock: PublicKey,
    encryption: EncryptionSecret,
    share: Option<SecretScalar>,
}

impl std::fmt::Debug for KeyHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyHolder(sealing key {}, holder {}, secrets redacted)", self.public.sealing_key, self.public.holder)
    }
}

fn scalar_hex(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

fn parse_scalar(text: &str, what: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text).map_err(|e| anyhow!("the holder key's {what} is not hex: {e}"))?;
    bytes.try_into().map_err(|_| anyhow!("the holder key's {what} is not 32 bytes"))
}

impl KeyHolder {
    /// A new key for holder `holder` (from 1) of sealing key `sealing_key` on `chain_id`, whose account is
    /// `account`: a fresh encryption secret, and a lock encrypted under `passphrase` with `params`.
    pub fn generate(
        chain_id: &ChainId,
        sealing_key: u64,
        holder: u16,
        account: Address,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<KeyHolder> {
        let lock = Keypair::generate();
        let label = format!("holder {holder} of sealing key {sealing_key}");
        let file = keystore::encrypt(&lock, passphrase, &label, params).context("encrypting the holder key")?;
        let lock_json: serde_json::Value = serde_json::from_str(&file.to_json()).expect("a key file is JSON");
        let encryption = EncryptionSecret::generate(&mut OsRng);
        let public = HolderKey {
            version: HOLDER_KEY_VERSION,
            chain_id: chain_id.clone(),
            sealing_key,
            holder,
            account,
            encryption_key: encryption.public(),
            verification_key: None,
            lock: lock_json,
            secrets: Sealed { ephemeral: [0; 32], nonce: [0; 24], ciphertext: Vec::new() },
        };
        let mut holder = KeyHolder { public, lock: lock.public_key().clone(), encryption, share: None };
        // Seal the secrets now, so that the file is complete from the start.
        holder.public = holder.key_file()?;
        Ok(holder)
    }

    /// Open a holder key file with its passphrase.
    pub fn open(file: &HolderKey, passphrase: &[u8]) -> Result<KeyHolder> {
        let lock_file = KeyFile::from_json(&file.lock.to_string()).context("the holder key's lock")?;
        let lock = lock_file.decrypt(passphrase).context("opening the holder key")?;
        let plain = seal::open(&lock, file.context().as_bytes(), &file.secrets)
            .context("the holder key's secrets do not open: the file was changed")?;
        let secrets: HolderSecrets =
            serde_json::from_slice(&plain).context("the holder key's secrets are not what this program writes")?;
        let encryption = EncryptionSecret::from_bytes(&parse_scalar(&secrets.encryption, "encryption secret")?)
            .map_err(|e| anyhow!("the holder key's encryption secret: {e}"))?;
        ensure!(
            encryption.public() == file.encryption_key,
            "the holder key's encryption secret does not match its key"
        );
        let share = match &secrets.share {
            Some(text) => Some(
                SecretScalar::from_bytes(&parse_scalar(text, "share")?)
                    .map_err(|e| anyhow!("the holder key's share: {e}"))?,
            ),
            None => None,
        };
        Ok(KeyHolder { public: file.clone(), lock: lock.public_key().clone(), encryption, share })
    }

    /// The key file to save, with the secrets sealed again.
    pub fn key_file(&self) -> Result<HolderKey> {
        let secrets = HolderSecrets {
            encryption: scalar_hex(&self.encryption.to_bytes()),
            share: self.share.as_ref().map(|s| scalar_hex(&s.to_bytes())),
        };
        let plain = Zeroizing::new(serde_json::to_vec(&secrets).context("encoding the holder's secrets")?);
        let mut file = self.public.clone();
        file.secrets = seal::seal(&self.lock, file.context().as_bytes(), &plain)?;
        Ok(file)
    }

    /// The sealing key's number.
    pub fn sealing_key(&self) -> u64 {
        self.public.sealing_key
    }

    /// The holder's number.
    pub fn holder(&self) -> u16 {
        self.public.holder
    }

    /// The holder's account.
    pub fn account(&self) -> Address {
        self.public.account
    }

    fn context(&self) -> Vec<u8> {
        key_context(&self.public.chain_id, self.public.sealing_key)
    }

    /// The registration call: the encryption key with its proof.
    pub fn registration(&self) -> Result<ProcurementCall> {
        let proof = threshold::prove_encryption_key(&self.encryption, &self.context(), self.holder(), &mut OsRng)
            .map_err(|e| anyhow!("proving the encryption key: {e}"))?;
        Ok(ProcurementCall::RegisterHolderKey {
            key: self.sealing_key(),
            encryption_key: self.public.encryption_key,
            proof,
        })
    }

    /// The deal call, once every holder of `record` registered.
    pub fn deal(&self, record: &SealingKey) -> Result<ProcurementCall> {
        self.check_record(record)?;
        let recipients: Vec<Point> = record
            .encryption_keys
            .iter()
            .enumerate()
            .map(|(i, k)| k.ok_or_else(|| anyhow!("holder {} has not registered its encryption key yet", i + 1)))
            .collect::<Result<_>>()?;
        let deal = Deal::make(&mut OsRng, &self.context(), self.holder(), record.threshold, &recipients)
            .map_err(|e| anyhow!("making the deal: {e}"))?;
        Ok(ProcurementCall::DealShares { key: self.sealing_key(), deal })
    }

    fn check_record(&self, record: &SealingKey) -> Result<()> {
        ensure!(record.id == self.sealing_key(), "the record is sealing key {}, not {}", record.id, self.sealing_key());
        let at = usize::from(self.holder() - 1);
        ensure!(
            record.holders.get(at) == Some(&self.account()),
            "holder {} of sealing key {} is not account {}",
            self.holder(),
            record.id,
            self.account()
        );
        Ok(())
    }

    /// Open this holder's share in each of `deals` (by dealer); a complaint for each bad one.
    pub fn check_deals(&self, deals: &[(u16, Deal)]) -> Result<Vec<ProcurementCall>> {
        let mut complaints = Vec::new();
        for (dealer, deal) in deals {
            if *dealer == self.holder() {
                continue;
            }
            if deal.open_share(&self.context(), *dealer, self.holder(), &self.encryption).is_err() {
                let complaint =
                    Complaint::make(&mut OsRng, &self.context(), *dealer, self.holder(), deal, &self.encryption)
                        .map_err(|e| anyhow!("making the complaint against dealer {dealer}: {e}"))?;
                complaints.push(ProcurementCall::ComplainAboutDeal {
                    key: self.sealing_key(),
                    dealer: *dealer,
                    complaint,
                });
            }
        }
        Ok(complaints)
    }

    /// Take this holder's share of the finished key from the qualified dealers' deals, checked against the
    /// verification key the ledger computed; save the key file after it.
    pub fn take_share(&mut self, record: &SealingKey, deals: &[(u16, Deal)]) -> Result<()> {
        self.check_record(record)?;
        let KeyStage::Ready { verification_keys, qualified, .. } = &record.stage else {
            bail!("sealing key {} is not finished yet", record.id);
        };
        let refs: Vec<(u16, &Deal)> =
            deals.iter().filter(|(i, _)| qualified.contains(i)).map(|(i, d)| (*i, d)).collect();
        ensure!(refs.len() == qualified.len(), "a qualified dealer's deal is missing");
        let share = threshold::secret_share(&refs, &self.context(), self.holder(), &self.encryption)
            .map_err(|e| anyhow!("taking the share: {e}"))?;
        let expected = verification_keys[usize::from(self.holder() - 1)];
        ensure!(share.public() == expected, "the share taken does not match the ledger's verification key");
        self.share = Some(share);
        self.public.verification_key = Some(expected);
        Ok(())
    }

    /// The calls publishing this holder's decryption shares of `bids` (live, unopened bids of `tender` still
    /// lacking this holder's share), at most [`MAX_SHARES_PER_CALL`] per call, for the ephemeral keys of the boxes
    /// the ledger accepted into the tender (their proofs were checked on arrival).
    pub fn decryption_shares(&self, tender: &Tender, bids: &[Bid]) -> Result<Vec<ProcurementCall>> {
        ensure!(tender.spec.sealing_key == self.sealing_key(), "tender {} uses another sealing key", tender.id);
        let share = self.share.as_ref().ok_or_else(|| anyhow!("the holder key has no share yet: take it first"))?;
        let verification_key = self.public.verification_key.expect("a share comes with its verification key");
        let context = self.context();
        let mut out = Vec::new();
        for bid in bids {
            if bid.withdrawn || bid.opening.is_some() || bid.shares.contains(&self.holder()) {
                continue;
            }
            // The ledger checked the box's proof of knowledge of `R` for this tender and company when it took the
            // bid: a share is only ever made for a box the ledger accepted into this tender.
            let made = threshold::DecryptionShare::make(share, &verification_key, &bid.ephemeral, &context, &mut OsRng)
                .map_err(|e| anyhow!("the share for bid {}: {e}", bid.number))?;
            out.push(BidShare { bid: bid.number, share: made });
        }
        Ok(out
            .chunks(MAX_SHARES_PER_CALL)
            .map(|chunk| ProcurementCall::PublishShares { tender: tender.id, shares: chunk.to_vec() })
            .collect())
    }
}

/// Seal a bid's content for `company` in tender `tender`, to the finished sealing key `record`.
pub fn seal_bid(
    chain_id: &ChainId,
    record: &SealingKey,
    tender: u64,
    company: &RecordId,
    content: &BidContent,
) -> Result<SealedBox> {
    let KeyStage::Ready { public_key, .. } = &record.stage else {
        bail!("sealing key {} is not finished", record.id);
    };
    let plaintext = Zeroizing::new(publica_types::encode(content));
    ensure!(
        plaintext.len() + 16 <= MAX_SEALED_BID_BYTES,
        "the bid is {} bytes; a sealed bid holds at most {}",
        plaintext.len(),
        MAX_SEALED_BID_BYTES - 16
    );
    threshold::seal(&mut OsRng, public_key, &key_context(chain_id, record.id), &bid_aad(tender, company), &plaintext)
        .map_err(|e| anyhow!("sealing the bid: {e}"))
}

fn fetch<T: borsh::BorshDeserialize + borsh::BorshSerialize>(
    client: &Client,
    key: &[u8],
    what: &str,
) -> Result<Option<T>> {
    let read = client.state(key)?;
    read.value
        .map(|bytes| codec::decode_canonical("procurement record", &bytes, schema::MAX_RECORD_BYTES))
        .transpose()
        .map_err(|e| anyhow!("{what} does not decode: {e}"))
}

/// A sealing key's record.
pub fn fetch_sealing_key(client: &Client, id: u64) -> Result<SealingKey> {
    fetch(client, &schema::sealing_key_key(id), "the sealing key")?.ok_or_else(|| anyhow!("no sealing key {id}"))
}

/// The deals recorded for a sealing key, by dealer.
pub fn fetch_deals(client: &Client, record: &SealingKey) -> Result<Vec<(u16, Deal)>> {
    let mut out = Vec::new();
    for (i, dealt) in record.dealt.iter().enumerate() {
        if *dealt {
            let dealer = i as u16 + 1;
            let deal = fetch(client, &schema::deal_key(record.id, dealer), "a deal")?
                .ok_or_else(|| anyhow!("dealer {dealer}'s deal is missing"))?;
            out.push((dealer, deal));
        }
    }
    Ok(out)
}

/// A tender.
pub fn fetch_tender(client: &Client, id: u64) -> Result<Tender> {
    fetch(client, &schema::tender_key(id), "the tender")?.ok_or_else(|| anyhow!("no tender {id}"))
}

/// A lot's standing award, if it has one.
pub fn fetch_award(client: &Client, tender: &Tender, lot: u16) -> Result<Option<schema::Award>> {
    let Some(state) = tender.lots.get(usize::from(lot)) else {
        bail!("tender {} has no lot {lot}", tender.id);
    };
    if !state.awarded {
        return Ok(None);
    }
    fetch(client, &schema::award_key(tender.id, lot, state.round), "an award")
}

/// A tender and all its bids.
pub fn fetch_tender_bids(client: &Client, id: u64) -> Result<(Tender, Vec<Bid>)> {
    let tender: Tender =
        fetch(client, &schema::tender_key(id), "the tender")?.ok_or_else(|| anyhow!("no tender {id}"))?;
    let mut bids = Vec::with_capacity(tender.bids as usize);
    for number in 1..=tender.bids {
        bids.push(
            fetch(client, &schema::bid_key(id, number), "a bid")?.ok_or_else(|| anyhow!("bid {number} is missing"))?,
        );
    }
    Ok((tender, bids))
}
