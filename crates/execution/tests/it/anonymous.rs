//! Anonymous transactions: only a ballot, sent by no account, with nonce 0 and the absent signature; a ballot
//! never from an account. A ballot's own rules are the elections module's (`crates/modules/elections/tests`).

use super::*;
use publica_elections::ElectionsCall;

fn cast() -> Call {
    Call::Elections(ElectionsCall::Cast { election: 0, ballot: b"{}".to_vec() })
}

fn anonymous(call: Call) -> Transaction {
    Transaction::anonymous(chain_id(), 1_000_000, call)
}

#[test]
fn the_anonymous_sender_may_only_cast_ballots() {
    let mut chain = Chain::new();
    let anchor = Call::Notary(NotaryCall::Anchor { hashes: vec![[1; 32]], label: None });
    let error = chain.run(anonymous(anchor)).expect("refused");
    assert_eq!(error.code, Code::from(ErrorCode::UnknownSender));
    assert!(error.message.contains("only cast ballots"), "{}", error.message);
}

#[test]
fn a_ballot_from_an_account_is_refused_so_no_citizen_is_tied_to_a_credential() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let tx = chain.call_with_nonce(&admin, chain.nonce(&admin), cast());
    let error = chain.run(tx).expect("refused");
    assert_eq!(error.code, Code::from(ErrorCode::BadSignature));
    assert!(error.message.contains("never by an account"), "{}", error.message);
    assert_eq!(chain.nonce(&admin), 0, "a refusal consumes no nonce");
}

#[test]
fn an_anonymous_transaction_has_nonce_zero_and_no_signature() {
    let mut chain = Chain::new();
    let mut with_nonce = anonymous(cast());
    with_nonce.body.nonce = 1;
    assert_eq!(chain.run(with_nonce).expect("refused").code, Code::from(ErrorCode::BadSignature));
    // A real signature over the body does not make it acceptable either: its bytes could then vary.
    let mut signed = anonymous(cast());
    signed.signature = signed.body.clone().sign(&keypair("anyone")).signature;
    assert_eq!(chain.run(signed).expect("refused").code, Code::from(ErrorCode::BadSignature));
    // A well-formed anonymous ballot reaches the module, which finds no election 0.
    let error = chain.run(anonymous(cast())).expect("refused");
    assert_eq!(error.code, publica_elections::error::ELECTION_NOT_FOUND);
}
