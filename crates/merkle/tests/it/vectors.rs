//! Fixed vectors, also printed in docs/state-proofs.md: other implementations check themselves against these.

use publica_merkle::{key_hash, value_hash, StateTree, EMPTY_ROOT};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn documented_vectors() {
    let mut tree = StateTree::new();
    assert_eq!(tree.root(), EMPTY_ROOT);

    tree.apply(vec![(key_hash(b"alice"), Some(value_hash(b"100")))]);
    let one = hex(&tree.root());

    tree.apply(vec![(key_hash(b"bob"), Some(value_hash(b"250"))), (key_hash(b"carol"), Some(value_hash(b"7")))]);
    let three = hex(&tree.root());
    let proof = tree.prove(&key_hash(b"bob"));
    proof.verify(&tree.root(), b"bob", Some(b"250")).unwrap();
    let json = serde_json::to_string(&proof).unwrap();
    let absent = serde_json::to_string(&tree.prove(&key_hash(b"dave"))).unwrap();
    assert_eq!(one, "e88595db6e2373140c77336108e543dd79e1c6420dff08568b120417c8af88b5");
    assert_eq!(three, "973afc726375a2f326e36025b339ef8933b8bb43da8e2a46bd49dc8960ad8f4c");
    assert_eq!(
        json,
        concat!(
            r#"{"siblings":["b7dd5e289559575b1e3bb9f3f2cc4042f1a4750be0d3242e1d223f78319efc28"],"#,
            r#""terminal":{"kind":"leaf","#,
            r#""key_hash":"81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9","#,
            r#""value_hash":"1e472b39b105d349bcd069c4a711b44a2fffb8e274714bb07ecfff69a9a7f67b"}}"#
        )
    );
    // "dave" is absent: its path ends at the leaf of "carol", which shares dave's first two bits (0, 1).
    assert_eq!(
        absent,
        concat!(
            r#"{"siblings":["86a9d88f51490ff8bcff472ccd45652defed660ce4c69ee10b6f1bf8b055f15b","#,
            r#""e88595db6e2373140c77336108e543dd79e1c6420dff08568b120417c8af88b5"],"#,
            r#""terminal":{"kind":"leaf","#,
            r#""key_hash":"4c26d9074c27d89ede59270c0ac14b71e071b15239519f75474b2f3ba63481f5","#,
            r#""value_hash":"7902699be42c8a8e46fbbb4501726517e86b22c56a189f7625a6da49081b2451"}}"#
        )
    );

    // Borsh: u32 LE count, siblings, then 0x01 || key_hash || value_hash for a leaf terminal.
    let bytes = borsh::to_vec(&proof).unwrap();
    assert_eq!(bytes.len(), 4 + 32 + 65);
    assert_eq!(hex(&bytes[..4]), "01000000");
    assert_eq!(bytes[36], 1);
}
