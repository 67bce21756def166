//! A vault's home: made once with its key-encryption key kept private, read back, and a first start that needs the
//! node.

use publica_crypto::keystore::Passphrase;
use publica_testkit::keypair;
use publica_vault::{init, ControllerKey, LoopSettings, Vault, VaultConfig, VaultError, VaultSettings, KEK_FILE};

fn settings() -> VaultSettings {
    VaultSettings {
        agency: "hospital".parse().unwrap(),
        api: "http://127.0.0.1:1".into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        controller_key: "controller.key".into(),
        controller: None,
    }
}

#[test]
fn a_home_is_made_once_with_a_private_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("vault");
    init(&home, &settings()).unwrap();
    assert_eq!(VaultSettings::load(&home).unwrap(), settings());
    assert_eq!(settings().controller_key_path(&home), home.join("controller.key"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(home.join(KEK_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&home).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let kek = std::fs::read(home.join(KEK_FILE)).unwrap();
    let e = init(&home, &settings()).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(home.join(KEK_FILE)).unwrap(), kek, "the key file is never overwritten");

    let e = VaultSettings::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("publica vault init"), "{e}");
    let e = VaultConfig::from_home(dir.path(), Passphrase::new(b"x".to_vec())).unwrap_err();
    assert!(matches!(e, VaultError::Config(_)), "{e}");
}

#[test]
fn a_first_start_without_its_node_says_to_start_the_node() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &settings()).unwrap();
    let config = VaultConfig {
        home: dir.path().to_owned(),
        api_url: settings().api,
        listen: settings().listen,
        agency: settings().agency,
        controller: ControllerKey::Keypair(Box::new(keypair("hospital-vault"))),
        sender: None,
        settings: LoopSettings::default(),
    };
    let e = Vault::open(config).unwrap_err();
    assert!(matches!(e, VaultError::Unavailable(_)) && e.to_string().contains("start the node first"), "{e}");

    // Without its key-encryption key, nothing starts.
    std::fs::remove_file(dir.path().join(KEK_FILE)).unwrap();
    let config = VaultConfig {
        home: dir.path().to_owned(),
        api_url: settings().api,
        listen: settings().listen,
        agency: settings().agency,
        controller: ControllerKey::Keypair(Box::new(keypair("hospital-vault"))),
        sender: None,
        settings: LoopSettings::default(),
    };
    let e = Vault::open(config).unwrap_err();
    assert!(e.to_string().contains("key-encryption key"), "{e}");
}
