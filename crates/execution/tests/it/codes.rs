//! The stable error codes: one number and one string per code, each module's codes in its own range.

use std::collections::BTreeSet;

use publica_execution::error_codes;
use publica_types::{Code, ErrorCode};

#[test]
fn every_code_has_its_own_number_and_string() {
    let codes = error_codes();
    let numbers: BTreeSet<u16> = codes.iter().map(|c| c.number()).collect();
    let names: BTreeSet<&str> = codes.iter().map(|c| c.as_str()).collect();
    assert_eq!(numbers.len(), codes.len(), "two codes share a number");
    assert_eq!(names.len(), codes.len(), "two codes share a string");
    for c in &codes {
        let name = c.as_str();
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name} is not snake_case"
        );
    }
}

#[test]
fn module_codes_sit_in_their_ranges_and_refine_a_generic_code() {
    let ranges: [(&[Code], std::ops::Range<u16>); 6] = [
        (publica_accounts::error::CODES, 3000..3100),
        (publica_governance::error::CODES, 3100..3200),
        (publica_notary::error::CODES, 3200..3300),
        (publica_registry::error::CODES, 3300..3700),
        (publica_data::error::CODES, 4100..4200),
        (publica_contracts::error::CODES, 4200..4300),
    ];
    for (codes, range) in ranges {
        assert!(!codes.is_empty());
        assert!(codes.windows(2).all(|w| w[0].number() < w[1].number()), "codes are listed in number order");
        for c in codes {
            assert!(range.contains(&c.number()), "{} ({}) is outside {range:?}", c.as_str(), c.number());
            assert!(ErrorCode::ALL.contains(&c.class()));
            assert!(*c != c.class(), "a module code is not a generic code");
        }
    }
    for &generic in ErrorCode::ALL {
        assert_eq!(Code::from(generic), generic);
        assert!(generic.number() < 3000);
    }
}
