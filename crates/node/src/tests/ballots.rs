//! Ballots at admission: the anonymous sender takes nothing but ballots, and a credential's failed ballots use up
//! that credential's allowance only, never the anonymous sender's (which every voter shares).

use publica_elections::ElectionsCall;
use publica_tx::{Call, NotaryCall, Transaction};
use publica_types::{Code, ErrorCode};

use super::admission::Net;
use crate::shared::now_ms;
use crate::TxStatus;

/// A ballot naming `credential` (a decimal number) for election 7, which does not exist: it reaches its dry run,
/// where the module refuses it.
fn ballot(net: &Net, credential: &str, n: u32) -> Transaction {
    let ballot = format!("{{\"credential\":\"{credential}\",\"n\":{n}}}").into_bytes();
    let call = Call::Elections(ElectionsCall::Cast { election: 7, ballot });
    Transaction::anonymous(net.chain_id.clone(), now_ms() + 3_600_000, call)
}

#[test]
fn the_anonymous_sender_takes_only_ballots_and_a_failed_ballot_waits_nowhere() {
    let net = Net::with_config(|_| {});
    let anchor = Call::Notary(NotaryCall::Anchor { hashes: vec![[3; 32]], label: None });
    let tx = Transaction::anonymous(net.chain_id.clone(), now_ms() + 3_600_000, anchor);
    let error = net.submit(&tx).unwrap_err();
    assert_eq!(error.code, Code::from(ErrorCode::UnknownSender));
    let tx = ballot(&net, "12345", 0);
    let error = net.submit(&tx).unwrap_err();
    assert_eq!(error.code, publica_elections::error::ELECTION_NOT_FOUND);
    assert!(matches!(net.node.tx_status(&tx.id()), TxStatus::Rejected { .. }));
    assert_eq!(net.node.ballots.lock().len(), 0);
    assert_eq!(net.mempool_len(), 0);
}

#[test]
fn ballots_anyone_could_send_in_a_credential_s_name_do_not_use_up_its_allowance() {
    // A credential is public: ballots naming it that fail before its holder's signature verifies (here, for an
    // election that does not exist) are refused each time, and never block the holder, nor anyone else.
    let net = Net::with_config(|c| c.mempool.refused_per_sender_max = 3);
    for n in 0..6 {
        let error = net.submit(&ballot(&net, "111", n)).unwrap_err();
        assert_eq!(error.code, publica_elections::error::ELECTION_NOT_FOUND, "{}", error.message);
    }
    let error = net.submit(&ballot(&net, "222", 0)).unwrap_err();
    assert_eq!(error.code, publica_elections::error::ELECTION_NOT_FOUND);
}
